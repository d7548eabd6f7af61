"""Queries on the catalogue read model: a tenant's areas or own categories, and the position they are at.

Each is one statement (one snapshot: the rows and the position agree), run on a connection that
sees the tenant's rows only (`tenancy.TenantReaders.statement`); it reads the tenant's rows
through its (tenant, ...) index and no other partnership's.
"""

from __future__ import annotations

from projections.catalogue.rows import Row
from projections.generations import Connection

# The LEFT JOIN keeps the position when the tenant has no rows yet (one row of NULLs).
_ROWS_SQL = (
    "SELECT g.reached, t.* FROM"
    " (SELECT position AS reached FROM projection_generations WHERE projection = 'catalogue' AND active) g"
    " LEFT JOIN catalogue.{table} t ON t.tenant = $1 ORDER BY t.{order}"
)
_AREAS_SQL = _ROWS_SQL.format(table="areas", order="first_position")
_CATEGORIES_SQL = _ROWS_SQL.format(table="categories", order="position")


async def areas(conn: Connection, tenant: str) -> tuple[int, list[Row]]:
    """The position the catalogue has reached, and the tenant's areas there (retired ones too), as defined."""
    return await _rows(conn, _AREAS_SQL, tenant, "area_id")


async def categories(conn: Connection, tenant: str) -> tuple[int, list[Row]]:
    """The position the catalogue has reached, and the tenant's own categories there, as added."""
    return await _rows(conn, _CATEGORIES_SQL, tenant, "category_id")


async def _rows(conn: Connection, sql: str, tenant: str, key: str) -> tuple[int, list[Row]]:
    found = await conn.fetch(sql, tenant)
    reached = int(found[0]["reached"] or 0) if found else 0
    rows = []
    for record in found:
        if record[key] is not None:
            row = dict(record)
            del row["reached"]
            rows.append(row)
    return reached, rows
