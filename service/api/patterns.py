"""When an area's reports happen: `GET /api/v1/areas/{id}/patterns`, read through the patterns read model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from domain.errors import Invalid
from domain.limits import CATEGORY_CODE_MAX
from domain.weeks import SWEDEN, YEARS
from projections.patterns import queries as pattern_queries
from service.api.params import NO_CONTROL, MinPosition
from service.audit.recording import recorded
from service.web.auth import authenticated
from service.web.context import Context
from service.web.problems import PARAMS, problems
from service.web.projection_progress import read_your_writes

_FROM = "The first day, e.g. 2026-01-01 (default: the first of the month 11 months before `to`'s)."
_TO = "The last day, e.g. 2026-12-31 (default: today, Swedish time)."
MAX_DAYS = 3 * 366
"""How far apart `from` and `to` may be (about three years)."""


class MonthCount(msgspec.Struct):
    """Occurrences in one calendar month (`YYYY-MM`), Swedish time."""

    month: str
    occurrences: int


class Patterns(msgspec.Struct, rename={"since": "from", "until": "to"}):
    """When the area's reports happen.

    `weekday_hour`: 7 rows (Monday first) of 24 counts (hour 0 to 23, Swedish time) of the
    occurrences of reports with a time between `from` and `to`; `whole_weeks`: those of reports
    of a whole week whose week's Thursday lies in the period; `months`: the 12 months ending with
    `to`'s month (the yearly wheel), a report of a whole week in the month of its Thursday.
    """

    area_id: str
    since: str
    until: str
    category: str | None
    weekday_hour: list[list[int]]
    whole_weeks: int
    months: list[MonthCount]
    position: int


def _day(name: str, text: str | None) -> date | None:
    """A date parameter, parsed here so that a bad one is named as sent (`from`, not the argument's name)."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid(name, "is not a date like 2026-01-31") from None
    if day.year not in YEARS:
        raise Invalid(name, f"must be in the years {YEARS.start} to {YEARS.stop - 1}")
    return day


def period(since_text: str | None, until_text: str | None, today: date) -> tuple[date, date]:
    """`from` and `to` with their defaults (to today, from the first of the 12th month back); 422 if wrong."""
    since, until = _day("from", since_text), _day("to", until_text)
    until = until or today
    since = since or pattern_queries.months_back(until)[0]
    if since > until:
        raise Invalid("from", "must not be after to")
    if (until - since).days > MAX_DAYS:
        raise Invalid("from", "must be at most three years before to")
    return since, until


async def area_patterns(context: Context, area_id: UUID, since: date, until: date, category: str | None) -> Any:
    """The patterns of an area of the caller's tenant (NotFound otherwise), as the API answers them."""
    tenant = context.identity.tenant
    await context.areas.get(area_id, tenant)
    async with context.readers.statement(tenant) as conn:  # one statement
        found = await pattern_queries.patterns(conn, tenant, area_id, since, until, category)
    facts = {"area_id": str(area_id), "from": since.isoformat(), "to": until.isoformat(), "category": category}
    return msgspec.convert(facts | found, Patterns)


class PatternsController(Controller):
    """`/api/v1/areas/{id}/patterns`."""

    tags = ["picture"]  # noqa: RUF012
    guards = [authenticated]  # noqa: RUF012

    @get(
        "/areas/{area_id:uuid}/patterns",
        summary="When an area's reports happen: weekday × hour, and month (the yearly wheel)",
        responses=problems(*PARAMS, 404),
        middleware=[recorded("patterns")],
    )
    async def patterns(
        self,
        area_id: FromPath[UUID],
        context: Context,
        min_position: MinPosition,
        since: Annotated[
            str | None, QueryParameter(name="from", required=False, max_length=10, description=_FROM)
        ] = None,
        until: Annotated[str | None, QueryParameter(name="to", required=False, max_length=10, description=_TO)] = None,
        category: Annotated[
            str | None, QueryParameter(max_length=CATEGORY_CODE_MAX, pattern=NO_CONTROL, required=False)
        ] = None,
    ) -> Patterns:
        """Occurrences by weekday × hour and of whole weeks, and by month; another tenant's area: 404."""
        first, last = period(since, until, context.now.astimezone(SWEDEN).date())
        await read_your_writes(context.tracker, "patterns", min_position)
        result: Patterns = await area_patterns(context, area_id, first, last, category)
        return result
