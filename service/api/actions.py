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
from domain.limits import (
    ACTION_DESCRIPTION_MAX,
    LINKED_CATEGORIES_MAX,
    LINKED_REPORTS_MAX,
    NOTE_MAX,
    ORG_MAX,
    TITLE_MAX,
)
from projections.picture import lists as list_queries
from projections.tenancy import tenant_connection
from service import commands
from service.api.list_shapes import ActionDetail, ActionPage, ActionStatus, Effect
from service.api.params import Cursor, IdempotencyKey, IfMatch, MinPosition, Strict
from service.api.report_shapes import CategoryCode, RedactionIn
from service.api.writes import Written, expected_version, idempotent, written
from service.audit.recording import recorded
from service.references import check_area, check_category, check_reports
from service.web.auth import authenticated, role
from service.web.context import Context
from service.web.problems import CHANGE, PARAMS, WRITE, problems
from service.web.projection_progress import read_your_writes

Note = Annotated[str, msgspec.Meta(max_length=NOTE_MAX)]


class ActionIn(Strict):
    """An action: where, what, who is responsible, when, and the problems it addresses."""

    area_id: UUID
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
    responsible_org: Annotated[str, msgspec.Meta(min_length=1, max_length=ORG_MAX)]
    description: Annotated[str, msgspec.Meta(max_length=ACTION_DESCRIPTION_MAX)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    report_ids: Annotated[list[UUID], msgspec.Meta(max_length=LINKED_REPORTS_MAX)] = msgspec.field(default_factory=list)
    categories: Annotated[list[CategoryCode], msgspec.Meta(max_length=LINKED_CATEGORIES_MAX)] = msgspec.field(
        default_factory=list
    )


class StatusIn(Strict):
    """The next status: planned -> started -> completed, or cancelled before completion."""

    status: Literal["started", "completed", "cancelled"]
    note: Note | None = None


class FollowUpIn(Strict):
    """The effect seen so far, and what was seen."""

    effect: Effect
    note: Note


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
        context: Context,
        idempotency_key: IdempotencyKey,
    ) -> Response[Written]:
        """Link the reports and categories it addresses: that link is what follow-up is measured on."""
        identity, store = context.identity, context.store
        await check_area(context.areas, data.area_id, identity.tenant, "area_id", retired_too=True)
        await check_reports(store, data.report_ids, identity.tenant, "report_ids")
        for i, code in enumerate(data.categories):
            await check_category(store, code, identity.tenant, f"categories[{i}]")
        action = Action.plan(
            identity.actor,
            area_id=data.area_id,
            title=data.title,
            responsible_org=data.responsible_org,
            description=data.description,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            report_ids=data.report_ids,
            categories=data.categories,
        )
        result = await commands.create(
            store, action, identity, idempotent(idempotency_key, "POST /api/v1/actions", data)
        )
        return written(result, 201, f"/api/v1/actions/{result.originator_id}")

    @get(
        summary="Actions, newest first (keyset pages)",
        guards=[authenticated],
        responses=problems(*PARAMS),
        middleware=[recorded("actions")],
    )
    async def list_actions(
        self,
        context: Context,
        min_position: MinPosition,
        area_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        status: Annotated[ActionStatus | None, QueryParameter(required=False)] = None,
        cursor: Cursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=list_queries.MAX_LIMIT)] = 50,
    ) -> ActionPage:
        """Filter by area and status; follow `next_cursor` for more."""
        await read_your_writes(context.tracker, "picture", min_position)
        tenant = context.identity.tenant
        async with context.readers.statement(tenant) as conn:  # one statement
            found, next_cursor = await list_queries.actions(
                conn, tenant, area_id=area_id, status=status, cursor=cursor, limit=limit
            )
        return msgspec.convert({"actions": found, "next_cursor": next_cursor}, ActionPage)

    @get(
        "/{action_id:uuid}",
        summary="An action with its linked reports and follow-ups",
        guards=[authenticated],
        responses=problems(*PARAMS, 404),
        middleware=[recorded("action")],
    )
    async def get_action(self, action_id: FromPath[UUID], context: Context, min_position: MinPosition) -> ActionDetail:
        """Everyone in the tenant may read; another tenant's action is 404."""
        await read_your_writes(context.tracker, "picture", min_position)
        tenant = context.identity.tenant
        async with tenant_connection(context.pool, tenant) as conn:
            found = await list_queries.action_detail(conn, tenant, action_id)
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
        self, action_id: FromPath[UUID], data: JSONBody[StatusIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """A transition the current status does not allow answers 409."""
        actor, version = context.identity.actor, expected_version(if_match)
        result = await commands.change(
            context.store,
            Action,
            action_id,
            actor.tenant,
            version,
            lambda a: a.change_status(actor, data.status, data.note),
        )
        return written(result, 200)

    @post(
        "/{action_id:uuid}/follow-ups",
        summary="Follow an action up (coordinator)",
        status_code=201,
        guards=[role("coordinator")],
        responses=problems(*CHANGE),
    )
    async def follow_up(
        self, action_id: FromPath[UUID], data: JSONBody[FollowUpIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """Record the effect of a started or completed action."""
        actor, version = context.identity.actor, expected_version(if_match)
        result = await commands.change(
            context.store,
            Action,
            action_id,
            actor.tenant,
            version,
            lambda a: a.follow_up(actor, data.effect, data.note),
        )
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
        context: Context,
        if_match: IfMatch,
    ) -> Response[Written]:
        """Its key is destroyed: description and notes read `[redacted]` everywhere; status and links stay."""
        actor, version = context.identity.actor, expected_version(if_match)
        result = await commands.change(
            context.store, Action, action_id, actor.tenant, version, lambda a: a.redact(actor, data.reason)
        )
        return written(result, 200)
