"""`GET /api/v1/audit/verify`: an auditor checks the tenant's hash chain, from the last verified link on."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import QueryParameter

from domain.errors import Invalid
from service.api.params import MinPosition
from service.audit.recording import recorded
from service.store import chain, verifications
from service.web.auth import role
from service.web.context import Context
from service.web.problems import PARAMS, problems

STARTS = ("last_verified", "start")
"""Where `?from=` starts a verification: after the last verified link, or at the tenant's first event."""


class HeadOut(msgspec.Struct):
    """The last link of the chain that held: its position and the link (hex)."""

    position: int
    link: str


class VerificationOut(msgspec.Struct):
    """`ok`; the position this call started after and how many events it checked; the head reached; what broke."""

    ok: bool
    verified_from: int
    checked: int
    head: HeadOut | None
    first_mismatch: int | None
    problem: str | None


class VerificationController(Controller):
    """`/api/v1/audit/verify`."""

    path = "/audit/verify"
    tags = ["audit"]  # noqa: RUF012

    @get(
        summary="Verify the tenant's hash chain (auditor)",
        guards=[role("auditor")],
        middleware=[recorded("audit_verify")],
        responses=problems(*PARAMS, 403),
    )
    async def verify_chain(
        self,
        context: Context,
        min_position: MinPosition,
        start: Annotated[
            str,
            QueryParameter(
                name="from",
                required=False,
                description="last_verified (default): go on from the last verified link; start: from the first event",
            ),
        ] = "last_verified",
        head_position: Annotated[
            int | None, QueryParameter(ge=1, required=False, description="a head kept earlier: its position")
        ] = None,
        head_link: Annotated[
            str | None,
            QueryParameter(pattern=r"^[0-9a-f]{64}$", required=False, description="a head kept earlier: its link"),
        ] = None,
    ) -> VerificationOut:
        """Recompute the links of the tenant's chain against the stored records, from the last verified link on.

        The service keeps the head of each verification that held; the next call checks that
        this link is still on the chain, then only the events after it (`verified_from`,
        `checked`). Events before it are not looked at again: `from=start` recomputes the whole
        chain, and checks that it still passes the last verified link. Give a head exported
        earlier (`lagesbild audit head`) to check that the chain still passes through it.
        """
        if (head_position is None) != (head_link is None):
            raise Invalid(
                "head_link" if head_link is None else "head_position", "give head_position and head_link together"
            )
        if start not in STARTS:  # checked here, so that the problem names `from`, not the argument
            raise Invalid("from", f"must be one of {', '.join(STARTS)}")
        tenant = context.identity.tenant
        kept = chain.Head(tenant, head_position, head_link) if head_position and head_link else None
        async with context.pool.acquire() as conn:
            result = await verifications.verify(conn, tenant, kept, from_start=start == "start")
        head = HeadOut(result.head.position, result.head.link) if result.head else None
        return VerificationOut(
            result.ok, result.verified_from, result.checked, head, result.first_mismatch, result.problem
        )
