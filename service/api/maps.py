"""Maps (API): an area's boundary (admin) and its hot grid cells as GeoJSON."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter

from domain.area import Area
from domain.weeks import week_of
from projections.tenancy import tenant_connection
from service import commands, maps
from service.api.params import IfMatch, MinPosition, Strict
from service.api.writes import Written, expected_version, written
from service.audit.recording import recorded
from service.web.auth import authenticated, role
from service.web.context import Context
from service.web.exports import GEOJSON_MEDIA_TYPE
from service.web.problems import CHANGE, PARAMS, problems
from service.web.projection_progress import read_your_writes

BOUNDARY_MAX_BYTES = 512 * 1024
"""A boundary's body may be larger than the API's other bodies: its most points at full precision fit."""


class BoundaryIn(Strict):
    """A GeoJSON Polygon or MultiPolygon in WGS 84 ([longitude, latitude]); the Area checks its shape."""

    type: Annotated[str, msgspec.Meta(max_length=40, examples=["Polygon"])]
    coordinates: list[Any]


class MapController(Controller):
    """`/api/v1/areas/{id}/boundary`, `/api/v1/areas/{id}/cells`."""

    path = "/areas/{area_id:uuid}"
    tags = ["maps"]  # noqa: RUF012

    @put(
        "/boundary",
        summary="Set an area's boundary (admin)",
        status_code=200,
        guards=[role("admin")],
        responses=problems(*CHANGE),
        request_max_body_size=BOUNDARY_MAX_BYTES,
    )
    async def set_boundary(
        self, area_id: FromPath[UUID], data: JSONBody[BoundaryIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """Closed rings, every point inside Sweden, at most 5,000 points, a valid shape with an area; else 422."""
        actor, version = context.identity.actor, expected_version(if_match)
        geometry = {"type": data.type, "coordinates": data.coordinates}
        result = await commands.change(
            context.store, Area, area_id, actor.tenant, version, lambda a: a.set_boundary(actor, geometry)
        )
        context.areas.forget(area_id)
        return written(result, 200)

    @get(
        "/cells",
        summary="An area's hot spots: grid cells with enough reports (GeoJSON)",
        guards=[authenticated],
        responses=problems(*PARAMS, 404),
        middleware=[recorded("cells")],
        media_type=GEOJSON_MEDIA_TYPE,
    )
    async def cells(
        self,
        area_id: FromPath[UUID],
        context: Context,
        min_position: MinPosition,
        weeks: Annotated[int, QueryParameter(ge=1, le=52, description="how many weeks back, this one included")] = 8,
    ) -> Response[dict[str, Any]]:
        """Cells with at least LAGESBILD_HOT_CELL_MIN_REPORTS active reports in the weeks; fewer are left out."""
        await read_your_writes(context.tracker, "picture", min_position)
        tenant = context.identity.tenant
        async with tenant_connection(context.pool, tenant) as conn:
            features = await maps.hot_cell_features(
                conn, tenant, area_id, week_of(context.now), weeks, context.settings.hot_cell_min_reports
            )
        if features is None:
            raise NotFoundException("no such area")
        return Response(maps.collection(features), media_type=GEOJSON_MEDIA_TYPE)
