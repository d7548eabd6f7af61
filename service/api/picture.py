"""The read side coordinators open first: an area's picture, the overview, the weekly lägesbild."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter

from domain.weeks import parse_week, week_of
from projections.picture import queries as picture_queries
from projections.tenancy import tenant_connection
from service import maps
from service.api.params import Accept, MinPosition, WeekInPath
from service.api.picture_shapes import AreaPicture, Overview, Weekly
from service.audit.recording import recorded
from service.exports.weekly_pdf import weekly_pdf_response
from service.web.auth import authenticated
from service.web.context import Context
from service.web.exports import GEOJSON_MEDIA_TYPE, Format, OrGeoJson, OrSpreadsheetOrPdf, table_response, wanted
from service.web.problems import PARAMS, problems
from service.web.projection_progress import read_your_writes


def _weekly_row(week: str, area: dict[str, Any], categories: list[str]) -> list[Any]:
    assessment = area["assessment"] or {}
    followed_up = "; ".join(f"{f['title']} ({f['effect']})" for f in area["actions_followed_up"])
    return [
        week,
        area["area"]["code"],
        area["area"]["name"],
        area["total"],
        area["trend"],
        assessment.get("level", ""),
        assessment.get("summary", ""),
        *[area["counts"].get(c, 0) for c in categories],
        "; ".join(area["actions_started"]),
        "; ".join(area["actions_completed"]),
        followed_up,
    ]


def weekly_table(fmt: Format, week: str, found: dict[str, Any]) -> Response[Any]:
    """The weekly lägesbild as CSV or Excel (the API's by Accept, and the page's download links)."""
    categories = sorted({c for area in found["areas"] for c in area["counts"]})
    header = ["week", "area_code", "area", "total", "trend", "level", "summary", *categories]
    header += ["actions_started", "actions_completed", "actions_followed_up"]
    rows = [_weekly_row(week, area, categories) for area in found["areas"]]
    return table_response(fmt, header, rows, f"lagesbild-{week}")


class PictureController(Controller):
    """`/api/v1/areas/{id}/picture`, `/api/v1/picture`, `/api/v1/lagesbild/{week}`."""

    tags = ["picture"]  # noqa: RUF012
    guards = [authenticated]  # noqa: RUF012

    @get(
        "/areas/{area_id:uuid}/picture",
        summary="The current picture of one area",
        responses=problems(*PARAMS, 404),
        middleware=[recorded("picture")],
    )
    async def area_picture(
        self,
        area_id: FromPath[UUID],
        context: Context,
        min_position: MinPosition,
        weeks: Annotated[int, QueryParameter(ge=1, le=52, description="how many weeks of series")] = 8,
    ) -> AreaPicture:
        """Counts, series and trends per category, the published assessment, open actions, the position."""
        await read_your_writes(context.tracker, "picture", min_position)
        tenant = context.identity.tenant
        async with context.readers.statement(tenant) as conn:  # one statement
            found = await picture_queries.area_picture(conn, tenant, area_id, week_of(context.now), weeks)
        if found is None:
            raise NotFoundException("no such area")
        return msgspec.convert(found, AreaPicture)

    @get(
        "/picture",
        summary="Every area at a glance (the heat map; GeoJSON by Accept)",
        responses=problems(*PARAMS),
        middleware=[recorded("overview")],
        operation_class=OrGeoJson,
    )
    async def overview(self, context: Context, min_position: MinPosition, accept: Accept) -> Response[Overview]:
        """Every active area: level, this week's total, trend, open actions; as GeoJSON, those with a boundary."""
        await read_your_writes(context.tracker, "picture", min_position)
        tenant = context.identity.tenant
        async with context.readers.statement(tenant) as conn:  # one statement
            if wanted(accept, ("geojson",)) == "geojson":
                _, features = await maps.picture_features(conn, tenant, week_of(context.now))
                return Response(maps.collection(features), media_type=GEOJSON_MEDIA_TYPE)  # type: ignore[arg-type]
            found, _ = await picture_queries.overview(conn, tenant, week_of(context.now))
        return Response(msgspec.convert(found, Overview))

    @get(
        "/lagesbild/{week:str}",
        summary="The weekly lägesbild (JSON; CSV, Excel or PDF by Accept)",
        middleware=[recorded("lagesbild")],
        responses=problems(*PARAMS, 404),
        operation_class=OrSpreadsheetOrPdf,
    )
    async def lagesbild(
        self,
        week: WeekInPath,
        context: Context,
        min_position: MinPosition,
        accept: Accept,
    ) -> Response[Weekly]:
        """Every area for the week: counts, trend, published assessment, actions started, completed, followed up."""
        parse_week("week", week)
        await read_your_writes(context.tracker, "picture", min_position)
        tenant = context.identity.tenant
        async with tenant_connection(context.pool, tenant) as conn:
            found = await picture_queries.weekly(conn, tenant, week)
        fmt = wanted(accept, ("csv", "xlsx", "pdf"))
        if fmt == "json":
            return Response(msgspec.convert(found, Weekly))
        if fmt == "pdf":
            return await weekly_pdf_response(found, context)
        return weekly_table(fmt, week, found)
