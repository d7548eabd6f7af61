"""Actions (insatser): planned, moved through their statuses and followed up by coordinators."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter

from domain.action import Action
from domain.categories import DEFAULT_CODES
from domain.errors import Invalid
from domain.report import Report
from projections.picture import lists as list_queries
from projections.tenancy import tenant_connection
from service import catalogue, commands
from service.api.common import (
    Areas,
    Cursor,
    IdempotencyKey,
    Identity,
    IfMatch,
    MinPosition,
    Pool,
    Readers,
    Store,
    Strict,
    Tracker,
    Written,
    expected_version,
    read_your_writes,
    written,
)
from service.api.errors import CHANGE, PARAMS, WRITE, problems
from service.api.list_shapes import ActionDetail, ActionPage
from service.api.report_shapes import CategoryCode, RedactionIn
from service.area_lookup import AreaLookup
from service.auth import authenticated, role
from service.event_store import EventStore
from service.read_recording import recorded

Note = Annotated[str, msgspec.Meta(max_length=2000)]


class ActionIn(Strict):
    """An action: where, what, who is responsible, when, and the problems it addresses."""

    area_id: UUID
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    responsible_org: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    description: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    report_ids: Annotated[list[UUID], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)
    categories: Annotated[list[CategoryCode], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class StatusIn(Strict):
    """The next status: planned -> started -> completed, or cancelled before completion."""

    status: Literal["started", "completed", "cancelled"]
    note: Note | None = None


class FollowUpIn(Strict):
    """The effect seen so far, and what was seen."""

    effect: Literal["improved", "unchanged", "worsened", "unknown"]
    note: Note


async def _check_links(store: EventStore, areas: AreaLookup, data: ActionIn, tenant: str) -> None:
    try:
        await areas.get(data.area_id, tenant)
    except NotFoundException:
        raise Invalid("area_id", "there is no such area in your partnership") from None
    for i, report_id in enumerate(data.report_ids):
        try:
            await commands.load_in_tenant(store, Report, report_id, tenant)
        except NotFoundException:
            raise Invalid(f"report_ids[{i}]", "there is no such report in your partnership") from None
    unknown = [c for c in data.categories if c not in DEFAULT_CODES]
    if unknown:
        known = {c.code for c in await catalogue.categories(store, tenant)}
        for i, code in enumerate(data.categories):
            if code not in known:
                raise Invalid(f"categories[{i}]", f"there is no category {code!r}")


class ActionController(Controller):
    """`/api/v1/actions`."""

    path = "/actions"
    tags = ["actions"]  # noqa: RUF012

    @post(
        summary="Plan an action (coordinator)",
        status_code=201,
        guards=[role("coordinator")],
        responses=problems(*WRITE),
    )
    async def plan_action(
        self,
        data: JSONBody[ActionIn],
        identity: Identity,
        store: Store,
        areas: Areas,
        idempotency_key: IdempotencyKey,
    ) -> Response[Written]:
        """Link the reports and categories it addresses: that link is what follow-up is measured on."""
        await _check_links(store, areas, data, identity.tenant)
        action = Action.plan(
            identity.actor, area_id=data.area_id, title=data.title, responsible_org=data.responsible_org,
            description=data.description, starts_on=data.starts_on, ends_on=data.ends_on,
            report_ids=data.report_ids, categories=data.categories,
        )  # fmt: skip
        result = await commands.create(store, action, identity, idempotency_key)
        return written(result, 201, f"/api/v1/actions/{result.originator_id}")

    @get(
        summary="Actions, newest first (keyset pages)",
        guards=[authenticated],
        responses=problems(*PARAMS),
        middleware=[recorded("actions")],
    )
    async def list_actions(
        self,
        identity: Identity,
        readers: Readers,
        tracker: Tracker,
        min_position: MinPosition,
        area_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        status: Annotated[
            Literal["planned", "started", "completed", "cancelled"] | None, QueryParameter(required=False)
        ] = None,
        cursor: Cursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=list_queries.MAX_LIMIT)] = 50,
    ) -> ActionPage:
        """Filter by area and status; follow `next_cursor` for more."""
        await read_your_writes(tracker, "picture", min_position)
        async with readers.statement(identity.tenant) as conn:  # one statement
            found, next_cursor = await list_queries.actions(
                conn, identity.tenant, area_id=area_id, status=status, cursor=cursor, limit=limit
            )
        return msgspec.convert({"actions": found, "next_cursor": next_cursor}, ActionPage)

    @get(
        "/{action_id:uuid}",
        summary="An action with its linked reports and follow-ups",
        guards=[authenticated],
        responses=problems(*PARAMS, 404),
        middleware=[recorded("action")],
    )
    async def get_action(
        self, action_id: FromPath[UUID], identity: Identity, pool: Pool, tracker: Tracker, min_position: MinPosition
    ) -> ActionDetail:
        """Everyone in the tenant may read; another tenant's action is 404."""
        await read_your_writes(tracker, "picture", min_position)
        async with tenant_connection(pool, identity.tenant) as conn:
            found = await list_queries.action_detail(conn, identity.tenant, action_id)
        if found is None:
            raise NotFoundException("no such action")
        return msgspec.convert(found, ActionDetail)

    @post(
        "/{action_id:uuid}/status",
        summary="Move an action on (coordinator)",
        status_code=200,
        guards=[role("coordinator")],
        responses=problems(*CHANGE),
    )
    async def change_status(
        self, action_id: FromPath[UUID], data: JSONBody[StatusIn], identity: Identity, store: Store, if_match: IfMatch
    ) -> Response[Written]:
        """A transition the current status does not allow answers 409."""
        result = await commands.change(
            store, Action, action_id, identity, expected_version(if_match),
            lambda a: a.change_status(identity.actor, data.status, data.note),
        )  # fmt: skip
        return written(result, 200)

    @post(
        "/{action_id:uuid}/follow-ups",
        summary="Follow an action up (coordinator)",
        status_code=201,
        guards=[role("coordinator")],
        responses=problems(*CHANGE),
    )
    async def follow_up(
        self, action_id: FromPath[UUID], data: JSONBody[FollowUpIn], identity: Identity, store: Store, if_match: IfMatch
    ) -> Response[Written]:
        """Record the effect of a started or completed action."""
        result = await commands.change(
            store, Action, action_id, identity, expected_version(if_match),
            lambda a: a.follow_up(identity.actor, data.effect, data.note),
        )  # fmt: skip
        return written(result, 201)

    @post(
        "/{action_id:uuid}/redaction",
        summary="Destroy an action's description and notes for good (coordinator)",
        status_code=200,
        guards=[role("coordinator")],
        responses=problems(*CHANGE),
    )
    async def redact_action(
        self,
        action_id: FromPath[UUID],
        data: JSONBody[RedactionIn],
        identity: Identity,
        store: Store,
        if_match: IfMatch,
    ) -> Response[Written]:
        """Its key is destroyed: description and notes read `[redacted]` everywhere; status and links stay."""
        result = await commands.change(
            store,
            Action,
            action_id,
            identity,
            expected_version(if_match),
            lambda a: a.redact(identity.actor, data.reason),
        )
        return written(result, 200)
