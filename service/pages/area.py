"""Område (web app): one area's week, its development per category, assessments, open actions and reports."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from markupsafe import Markup

from domain.errors import PersonalDataFound
from domain.weeks import SWEDEN, week_of
from projections.patterns import queries as pattern_queries
from projections.picture import lists as list_queries
from projections.picture import maps as map_queries
from projections.picture import queries as picture_queries
from projections.tenancy import tenant_connection
from service import maps
from service.api.patterns import period
from service.audit.recording import recorded
from service.errors import NotFound
from service.pages.area_filters import FIELDS, MAX_WEEKS, OLDER, AreaFilters, read_filters
from service.pages.charts import bar_chart
from service.pages.maps import hot_cell_map
from service.pages.patterns import patterns_view
from service.pages.rendering import fragment, page
from service.pages.session import kept_for_reader
from service.web.context import Context
from service.web.query_params import declared_query_only
from service.words import EFFECT_WORDS, LEVELS, NO_LEVEL, STATUSES, TRENDS, category_names

REPORTS_SHOWN = 50
"""The newest reports the page lists (the filters narrow them down)."""


async def _declared_filters_only(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Only the declared parameters; personal data in one is left to the page, which shows it beside its field.

    That answer is a 400, which the read log does not record, so the filter's text is kept nowhere.
    """
    with contextlib.suppress(PersonalDataFound):
        await declared_query_only(connection, handler)


def _local(moment: datetime | str | None) -> str:
    """A moment as a person in Sweden reads it: `2026-11-20 21:30`."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(SWEDEN).strftime("%Y-%m-%d %H:%M")


def _charts(picture: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """A chart and its table per category with reports in the weeks shown, by name."""
    charts = []
    for code, series in sorted(picture["series"].items(), key=lambda item: names.get(item[0], item[0])):
        name = names.get(code, code)
        points = [(point["week"], point["occurrences"]) for point in series]
        svg = bar_chart(f"diagram-{code}", f"{name}: förekomster per vecka", "Förekomster", points)
        charts.append({"code": code, "name": name, "svg": svg, "rows": series})
    return charts


def _this_week(picture: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """The current week's counts per category, by name, with each category's trend."""
    rows = [
        {"name": names.get(code, code), **counts, "trend": picture["trends"].get(code, "flat")}
        for code, counts in picture["counts"].items()
    ]
    return sorted(rows, key=lambda row: row["name"])


def _reports(found: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        r | {"category_name": names.get(r["category"], r["category"]), "when": _local(r["occurred_at"])} for r in found
    ]


def _actions(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a | {"status_in_words": STATUSES.get(a["status"], a["status"])} for a in found]


def _history(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a | {"published": _local(a["published_at"])} for a in found]


def _more_reports(path: str, filters: AreaFilters, older: str | None) -> tuple[str | None, str | None]:
    """The links from this page of reports to the newest ones and to the older ones, with the same filters."""
    query = {name: filters.typed[name] for name in FIELDS if name in filters.typed}
    newest = f"{path}?{urlencode(query)}#rapporter" if filters.older_than is not None else None
    return newest, f"{path}?{urlencode(query | {OLDER: older})}#rapporter" if older else None


def _filter_form(path: str, filters: AreaFilters, names: dict[str, str]) -> dict[str, Any]:
    """What both GET forms need: the values typed, the errors, the category choices, this page's path."""
    return {
        "filters": filters,
        "typed": filters.typed,
        "errors": filters.errors,
        "category_choices": sorted(names.items(), key=lambda item: item[1]),
        "max_weeks": MAX_WEEKS,
        "path": path,
    }


@get("/omraden/{area_id:uuid}", name="area", middleware=[recorded("picture")], guards=[_declared_filters_only])
async def area_page(
    request: Request[Any, Any, Any],
    context: Context,
    area_id: FromPath[UUID],
    veckor: FromQuery[str | None] = None,
    monsterkategori: FromQuery[str | None] = None,
    kategori: FromQuery[str | None] = None,
    organisation: FromQuery[str | None] = None,
    vecka: FromQuery[str | None] = None,
    fran: FromQuery[str | None] = None,
) -> Template:
    """The API's area picture (GET /api/v1/areas/{id}/picture) and report list, with the area's assessments.

    Bad filter values are shown beside their fields (400) with none of the area's data: that
    answer reads nothing and is not recorded. Another tenant's area is as unknown as a made-up id (404).
    The content is the same for everyone who reads the area with the same filters on the same day:
    computed once for all of them (service/web/read_cache.py).
    """
    tenant, path = context.identity.tenant, request.url.path
    # The parameters are declared for the guard (and read here with their repeats, each value checked).
    typed = tuple(request.query_params.multi_items())
    today = context.now.astimezone(SWEDEN).date()

    async def compute() -> tuple[str, Markup]:
        names = await category_names(context)
        filters = read_filters(typed, names)
        form = _filter_form(path, filters, names)
        if filters.errors:
            raise _BadFilters(form)  # not kept: a reader typing more gets it afresh, and no one else
        return await _content(context, area_id, filters, form, names, today)

    try:
        key, projections = ("area", tenant, area_id, today, typed), ("picture", "patterns", "catalogue")
        name, content = await kept_for_reader(request, context, key, projections, compute)
    except _BadFilters as bad:
        area = await context.areas.get(area_id, tenant)  # NotFound: the 404 page
        content = await fragment("area_content.html", heading=area.name, **bad.form)
        return page(request, "page.html", title=f"Fel: {area.name}", content=content, status_code=400)
    return page(request, "page.html", title=name, content=content)


class _BadFilters(Exception):
    """A filter value the page shows beside its field, with the form that shows it."""

    def __init__(self, form: dict[str, Any]) -> None:
        super().__init__("bad filter values")
        self.form = form


async def _content(
    context: Context, area_id: UUID, filters: AreaFilters, form: dict[str, Any], names: dict[str, str], today: date
) -> tuple[str, Markup]:
    """The area's name and its page's content, as every reader with these filters sees it today."""
    tenant = context.identity.tenant
    async with tenant_connection(context.pool, tenant) as conn:
        picture = await picture_queries.area_picture(conn, tenant, area_id, week_of(context.now), filters.weeks)
        if picture is None:
            raise NotFound("no such area")
        history = await list_queries.assessments(conn, tenant, area_id)
        since, until = period(None, None, today)  # the last 12 months
        patterns = await pattern_queries.patterns(conn, tenant, area_id, since, until, filters.pattern_category)
        boundary = await map_queries.boundary(conn, tenant, area_id)
        cells = await maps.hot_cell_features(
            conn, tenant, area_id, picture["week"], filters.weeks, context.settings.hot_cell_min_reports
        )
        reports, older = await list_queries.reports(
            conn,
            tenant,
            area_id=area_id,
            week=filters.week,
            category=filters.category,
            org=filters.org,
            status="active",
            cursor=filters.older_than,
            limit=REPORTS_SHOWN,
        )
    name = picture["area"]["name"]
    content = await fragment(
        "area_content.html",
        heading=name,
        picture=picture,
        last_report=_local(picture["last_report_at"]),
        latest_published=_local((picture["assessment"] or {}).get("published_at")),
        this_week=_this_week(picture, names),
        charts=_charts(picture, names),
        patterns=patterns_view(
            patterns | {"from": since.isoformat(), "to": until.isoformat()},
            names[filters.pattern_category] if filters.pattern_category else None,
        ),
        cells=cells or [],
        cell_map=hot_cell_map(name, boundary, cells or []),
        min_reports=context.settings.hot_cell_min_reports,
        history=_history(history),
        actions=_actions(picture["open_actions"]),
        reports=_reports(reports, names),
        more_reports=_more_reports(form["path"], filters, older),
        levels=LEVELS,
        no_level=NO_LEVEL,
        trends=TRENDS,
        effects=EFFECT_WORDS,
        **form,
    )
    return name, content
