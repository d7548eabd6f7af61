"""`GET /api/v1/audit/verify`: an auditor recomputes the tenant's hash chain over the stored events."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import QueryParameter

from domain.errors import Invalid
from service.api.params import MinPosition
from service.audit.recording import recorded
from service.store import chain
from service.web.auth import role
from service.web.context import Context
from service.web.problems import PARAMS, problems


class HeadOut(msgspec.Struct):
    """The last link of the chain that held: its position and the link (hex)."""

    position: int
    link: str


class VerificationOut(msgspec.Struct):
    """`ok`, how many events were checked, the head reached, the first position that does not hold."""

    ok: bool
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
        head_position: Annotated[
            int | None, QueryParameter(ge=1, required=False, description="a head kept earlier: its position")
        ] = None,
        head_link: Annotated[
            str | None,
            QueryParameter(pattern=r"^[0-9a-f]{64}$", required=False, description="a head kept earlier: its link"),
        ] = None,
    ) -> VerificationOut:
        """Recompute every link of the tenant's chain, from its first event, against the stored records.

        Give a head exported earlier (`lagesbild audit head`) to check that the chain still passes through it.
        """
        if (head_position is None) != (head_link is None):
            raise Invalid(
                "head_link" if head_link is None else "head_position", "give head_position and head_link together"
            )
        tenant = context.identity.tenant
        kept = chain.Head(tenant, head_position, head_link) if head_position and head_link else None
        async with context.pool.acquire() as conn:
            result = await chain.verify(conn, tenant, kept)
        head = HeadOut(result.head.position, result.head.link) if result.head else None
        return VerificationOut(result.ok, result.checked, head, result.first_mismatch, result.problem)
