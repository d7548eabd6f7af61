"""Areas: list (everyone in the tenant), define, rename and retire (admin)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from domain.area import Area
from domain.errors import Invalid
from service import catalogue, commands
from service.api.common import (
    Areas,
    IdempotencyKey,
    Identity,
    IfMatch,
    Store,
    Strict,
    Written,
    expected_version,
    written,
)
from service.api.errors import CHANGE, WRITE, problems
from service.web.auth import authenticated, role

Code = Annotated[str, msgspec.Meta(min_length=2, max_length=32, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Reason = Annotated[str, msgspec.Meta(max_length=500)]
Deso = Annotated[str, msgspec.Meta(max_length=9, examples=["0680C1010"])]
Regso = Annotated[str, msgspec.Meta(max_length=9, examples=["0680R012"])]


class AreaIn(Strict):
    """A new area: a short code (unique in the tenant), a name, optional parent and SCB codes."""

    code: Code
    name: Name
    parent_id: UUID | None = None
    deso: Annotated[list[Deso], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)
    regso: Annotated[list[Regso], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class RenameIn(Strict):
    """A new name for the area."""

    name: Name


class RetireIn(Strict):
    """Why the area is no longer followed."""

    reason: Reason


class AreaOut(msgspec.Struct):
    """An area as listed."""

    id: str
    code: str
    name: str
    parent_id: str | None
    deso: list[str]
    regso: list[str]
    retired: bool
    version: int


class AreaController(Controller):
    """`/api/v1/areas`."""

    path = "/areas"
    tags = ["areas"]  # noqa: RUF012

    @get(summary="The tenant's areas", guards=[authenticated], responses=problems())
    async def list_areas(self, identity: Identity, store: Store) -> list[AreaOut]:
        """Every area of the caller's tenant, retired ones marked."""
        return [
            AreaOut(
                str(a.id),
                a.code,
                a.name,
                str(a.parent_id) if a.parent_id else None,
                a.deso,
                a.regso,
                a.retired,
                a.version,
            )
            for a in await catalogue.areas(store, identity.tenant)
        ]

    @post(
        summary="Define an area (admin)",
        status_code=201,
        guards=[role("admin")],
        responses=problems(*WRITE, 409),
    )
    async def define_area(
        self, data: JSONBody[AreaIn], identity: Identity, store: Store, idempotency_key: IdempotencyKey
    ) -> Response[Written]:
        """The id follows from tenant and code: a code that exists already answers 409."""
        if data.parent_id is not None:
            try:
                await commands.load_in_tenant(store, Area, data.parent_id, identity.tenant)
            except NotFoundException:  # bad input, like an unknown area in a report: 422 naming the field
                raise Invalid("parent_id", "there is no such area in your partnership") from None
        area = Area.define(identity.actor, data.code, data.name, data.parent_id, data.deso, data.regso)
        result = await commands.create(store, area, identity, idempotency_key)
        return written(result, 201, f"/api/v1/areas/{result.originator_id}")

    @post(
        "/{area_id:uuid}/name",
        summary="Rename an area (admin)",
        status_code=200,
        guards=[role("admin")],
        responses=problems(*CHANGE),
    )
    async def rename_area(
        self,
        area_id: FromPath[UUID],
        data: JSONBody[RenameIn],
        identity: Identity,
        store: Store,
        areas: Areas,
        if_match: IfMatch,
    ) -> Response[Written]:
        """Give the area a new name; its code and id stay."""
        result = await commands.change(
            store, Area, area_id, identity, expected_version(if_match), lambda a: a.rename(identity.actor, data.name)
        )
        areas.forget(area_id)
        return written(result, 200)

    @post(
        "/{area_id:uuid}/retirement",
        summary="Retire an area (admin)",
        status_code=200,
        guards=[role("admin")],
        responses=problems(*CHANGE),
    )
    async def retire_area(
        self,
        area_id: FromPath[UUID],
        data: JSONBody[RetireIn],
        identity: Identity,
        store: Store,
        areas: Areas,
        if_match: IfMatch,
    ) -> Response[Written]:
        """Stop following the area: no new reports, its history stays."""
        result = await commands.change(
            store, Area, area_id, identity, expected_version(if_match), lambda a: a.retire(identity.actor, data.reason)
        )
        areas.forget(area_id)
        return written(result, 200)
