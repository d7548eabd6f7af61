"""Maps (service root, no HTTP): the picture and hot cells as GeoJSON, and the area a point lies in.

The API answers with these FeatureCollections; the pages draw their SVG from the same features.
"""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

from domain.boundary import holds
from domain.location import METRES_PER_DEGREE_LAT
from projections.generations import Connection
from projections.picture import maps as map_queries
from projections.picture import queries as picture_queries
from projections.picture.queries import weeks_back
from service.words import TRENDS, level_name

Feature = dict[str, Any]


def collection(features: list[Feature]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of `features`."""
    return {"type": "FeatureCollection", "features": features}


async def picture_features(conn: Connection, tenant: str, this_week: str) -> tuple[dict[str, Any], list[Feature]]:
    """The overview (queries.overview) and one feature per active area with a boundary; those without are left out."""
    found, shapes = await picture_queries.overview(conn, tenant, this_week, boundaries=True)
    features = []
    for row in found["areas"]:
        geometry = shapes.get(row["area"]["id"])
        if geometry is None:
            continue
        properties = {
            **row["area"], "level": row["level"], "level_name": level_name(row["level"]),
            "level_week": row["level_week"], "total": row["total"], "trend": row["trend"],
            "trend_name": TRENDS[row["trend"]], "open_actions": row["open_actions"],
        }  # fmt: skip
        features.append({"type": "Feature", "id": row["area"]["id"], "geometry": geometry, "properties": properties})
    return found, features


def cell_square(lat: float, lon: float, cell_m: int) -> dict[str, Any]:
    """The grid cell around its centre as a closed GeoJSON Polygon (domain/location.py's grid)."""
    half_lat = cell_m / METRES_PER_DEGREE_LAT / 2
    half_lon = cell_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))) / 2
    w, e, s, n = (round(v, 6) for v in (lon - half_lon, lon + half_lon, lat - half_lat, lat + half_lat))
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


async def hot_cell_features(
    conn: Connection, tenant: str, area_id: UUID, now_week: str, weeks: int, min_reports: int
) -> list[Feature] | None:
    """The area's cells with at least `min_reports` reports over the last `weeks` weeks; None if no such area."""
    if not await conn.fetchval("SELECT 1 FROM picture.areas WHERE tenant = $1 AND area_id = $2", tenant, area_id):
        return None
    span = weeks_back(now_week, weeks)
    cells = await map_queries.hot_cells(conn, tenant, area_id, span[0], span[-1], min_reports)
    features = []
    for c in cells:
        properties = {
            "centre": [c["lon"], c["lat"]], "cell_m": c["cell_m"], "reports": c["reports"],
            "occurrences": c["occurrences"], "from_week": span[0], "to_week": span[-1],
        }  # fmt: skip
        geometry = cell_square(c["lat"], c["lon"], c["cell_m"])
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


async def area_holding(conn: Connection, tenant: str, lat: float, lon: float) -> UUID | None:
    """The active area whose boundary holds the point (the first by code if boundaries overlap), or None."""
    for area_id, geometry in await map_queries.boundaries_around(conn, tenant, lat, lon):
        if holds(geometry, lat, lon):
            return area_id
    return None
