"""Weekly assessments of an area (coordinator): save a draft, then publish it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from domain.area import Area
from domain.assessment import Assessment, assessment_id
from domain.errors import Invalid
from domain.limits import SUMMARY_MAX
from domain.weeks import parse_week, week_of
from service import commands
from service.api.params import IfMatch, Strict, WeekInPath
from service.api.writes import Written, expected_version, written
from service.store.event_store import AggregateNotFound
from service.web.auth import role
from service.web.context import Context
from service.web.problems import CHANGE, problems


class AssessmentIn(Strict):
    """The draft: a level and a summary."""

    level: Literal["green", "yellow", "red"]
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=SUMMARY_MAX)]


def _week(week: str, now: datetime) -> str:
    parse_week("week", week)
    if week > week_of(now):
        raise Invalid("week", "has not begun yet")
    return week


class AssessmentController(Controller):
    """`/api/v1/areas/{area_id}/assessments/{week}`."""

    path = "/areas/{area_id:uuid}/assessments/{week:str}"
    tags = ["assessments"]  # noqa: RUF012

    @put(
        summary="Save the draft assessment (coordinator)",
        status_code=200,
        guards=[role("coordinator")],
        responses={201: ResponseSpec(Written, False, "The first draft of the week: started"), **problems(*CHANGE)},
    )
    async def save_draft(
        self,
        area_id: FromPath[UUID],
        week: WeekInPath,
        data: JSONBody[AssessmentIn],
        context: Context,
        if_match: IfMatch,
    ) -> Response[Written]:
        """The first PUT starts the draft; later ones edit it or, after a publication, start the next revision."""
        identity, store = context.identity, context.store
        week = _week(week, context.now)
        await commands.load_in_tenant(store, Area, area_id, identity.tenant)
        the_id = assessment_id(identity.tenant, area_id, week)
        try:
            await store.load(the_id)
        except AggregateNotFound:
            draft = Assessment.start(identity.actor, area_id, week, data.level, data.summary)
            return written(await commands.create(store, draft, identity, None), 201)
        result = await commands.change(
            store,
            Assessment,
            the_id,
            identity.tenant,
            expected_version(if_match),
            lambda a: a.save_draft(identity.actor, data.level, data.summary),
        )
        return written(result, 200)

    @post(
        "/publication",
        summary="Publish the draft (coordinator)",
        status_code=200,
        guards=[role("coordinator")],
        responses=problems(400, 403, 404, 409, 412, 422, 429),  # no body
    )
    async def publish(
        self,
        area_id: FromPath[UUID],
        week: WeekInPath,
        context: Context,
        if_match: IfMatch,
    ) -> Response[Written]:
        """The published revision supersedes the previous one; nothing published is ever edited."""
        actor = context.identity.actor
        the_id = assessment_id(actor.tenant, area_id, _week(week, context.now))
        result = await commands.change(
            context.store, Assessment, the_id, actor.tenant, expected_version(if_match), lambda a: a.publish(actor)
        )
        return written(result, 200)
