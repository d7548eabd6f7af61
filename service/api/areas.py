"""Areas: list (everyone in the tenant), define, rename and retire (admin)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from domain.area import Area
from domain.limits import AREA_CODE_MAX, CODE_PATTERN, DESO_MAX, NAME_MAX, REASON_MAX, REGSO_MAX
from service import commands
from service.api.params import IdempotencyKey, IfMatch, MinPosition, Strict
from service.api.writes import Written, expected_version, idempotent, written
from service.references import check_area
from service.web.auth import authenticated, role
from service.web.context import Context
from service.web.problems import CHANGE, PARAMS, WRITE, problems
from service.web.projection_progress import read_your_writes

Code = Annotated[str, msgspec.Meta(min_length=2, max_length=AREA_CODE_MAX, pattern=CODE_PATTERN)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)]
Reason = Annotated[str, msgspec.Meta(max_length=REASON_MAX)]
Deso = Annotated[str, msgspec.Meta(max_length=9, examples=["0680C1010"])]
Regso = Annotated[str, msgspec.Meta(max_length=9, examples=["0680R012"])]


class AreaIn(Strict):
    """A new area: a short code (unique in the tenant), a name, optional parent and SCB codes."""

    code: Code
    name: Name
    parent_id: UUID | None = None
    deso: Annotated[list[Deso], msgspec.Meta(max_length=DESO_MAX)] = msgspec.field(default_factory=list)
    regso: Annotated[list[Regso], msgspec.Meta(max_length=REGSO_MAX)] = msgspec.field(default_factory=list)


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

    @get(summary="The tenant's areas", guards=[authenticated], responses=problems(*PARAMS))
    async def list_areas(self, context: Context, min_position: MinPosition) -> list[AreaOut]:
        """Every area of the tenant, retired ones marked: all defined before this read (`min_position` waits)."""
        await read_your_writes(context.tracker, "catalogue", min_position)
        return [
            AreaOut(
                id=str(a.id),
                code=a.code,
                name=a.name,
                parent_id=str(a.parent_id) if a.parent_id else None,
                deso=a.deso,
                regso=a.regso,
                retired=a.retired,
                version=a.version,
            )
            for a in await context.catalogue.areas(context.identity.tenant)
        ]

    @post(
        summary="Define an area (admin)",
        status_code=201,
        guards=[role("admin")],
        responses=problems(*WRITE, 409),
    )
    async def define_area(
        self, data: JSONBody[AreaIn], context: Context, idempotency_key: IdempotencyKey
    ) -> Response[Written]:
        """The id follows from tenant and code: a code that exists already answers 409, as does one area too many."""
        identity = context.identity
        if data.parent_id is not None:  # bad input, like an unknown area in a report: 422 naming the field
            await check_area(context.areas, data.parent_id, identity.tenant, "parent_id", retired_too=True)
        area = Area.define(identity.actor, data.code, data.name, data.parent_id, data.deso, data.regso)
        limit, once = context.settings.max_areas_per_tenant, idempotent(idempotency_key, "POST /api/v1/areas", data)
        async with context.catalogue.defining(identity.tenant, "areas", area.id, limit):
            result = await commands.create(context.store, area, identity, once)
        return written(result, 201, f"/api/v1/areas/{result.originator_id}")

    @post(
        "/{area_id:uuid}/name",
        summary="Rename an area (admin)",
        status_code=200,
        guards=[role("admin")],
        responses=problems(*CHANGE),
    )
    async def rename_area(
        self, area_id: FromPath[UUID], data: JSONBody[RenameIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """Give the area a new name; its code and id stay."""
        actor, version = context.identity.actor, expected_version(if_match)
        result = await commands.change(
            context.store, Area, area_id, actor.tenant, version, lambda a: a.rename(actor, data.name)
        )
        context.areas.forget(area_id)
        return written(result, 200)

    @post(
        "/{area_id:uuid}/retirement",
        summary="Retire an area (admin)",
        status_code=200,
        guards=[role("admin")],
        responses=problems(*CHANGE),
    )
    async def retire_area(
        self, area_id: FromPath[UUID], data: JSONBody[RetireIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """Stop following the area: no new reports, its history stays."""
        actor, version = context.identity.actor, expected_version(if_match)
        result = await commands.change(
            context.store, Area, area_id, actor.tenant, version, lambda a: a.retire(actor, data.reason)
        )
        context.areas.forget(area_id)
        return written(result, 200)
