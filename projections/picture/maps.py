"""Queries on the picture read model for maps (projections): areas' boundaries and the hot grid cells of an area.

Each runs inside `tenancy.tenant_connection`, like the other queries (queries.py).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from projections.generations import Connection

_decode = msgspec.json.decode


def _geometry(value: Any) -> dict[str, Any]:
    parsed: dict[str, Any] = _decode(value) if isinstance(value, str) else value
    return parsed


async def boundary(conn: Connection, tenant: str, area_id: UUID) -> dict[str, Any] | None:
    """One area's boundary, or None if it has none."""
    value = await conn.fetchval(
        "SELECT geometry FROM picture.boundaries WHERE tenant = $1 AND area_id = $2", tenant, area_id
    )
    return None if value is None else _geometry(value)


async def boundaries_around(conn: Connection, tenant: str, lat: float, lon: float) -> list[tuple[UUID, dict[str, Any]]]:
    """The active areas whose boundary's bounding box holds the point (the caller tests the shape itself)."""
    rows = await conn.fetch(
        "SELECT b.area_id, b.geometry FROM picture.boundaries b JOIN picture.areas a USING (area_id)"
        " WHERE b.tenant = $1 AND NOT a.retired AND west <= $3 AND east >= $3 AND south <= $2 AND north >= $2"
        " ORDER BY a.code",
        tenant,
        lat,
        lon,
    )
    return [(r["area_id"], _geometry(r["geometry"])) for r in rows]


# A cell is the coarsened location the reports keep (domain/location.py): its centre and size.
_CELLS = """
SELECT (location->>'lat')::float8 AS lat, (location->>'lon')::float8 AS lon, (location->>'cell_m')::int AS cell_m,
    count(*)::int AS reports, sum(count)::int AS occurrences
FROM picture.reports
WHERE tenant = $1 AND area_id = $2 AND status = 'active' AND location IS NOT NULL AND week >= $3 AND week <= $4
GROUP BY 1, 2, 3 HAVING count(*) >= $5
ORDER BY count(*) DESC, 1, 2
"""


async def hot_cells(
    conn: Connection, tenant: str, area_id: UUID, first_week: str, last_week: str, min_reports: int
) -> list[dict[str, Any]]:
    """The area's grid cells with at least `min_reports` active reports in the weeks given; fewer are left out."""
    rows = await conn.fetch(_CELLS, tenant, area_id, first_week, last_week, min_reports)
    keys = ("lat", "lon", "cell_m", "reports", "occurrences")
    return [{k: r[k] for k in keys} for r in rows]
