"""The catalogue read model's apply step: a batch of events to its rows (rows.py), then to its tables (tables.py)."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from domain.area import Area
from projections.catalogue.rows import Row, changed, is_catalogue
from projections.catalogue.tables import AREA_COLUMNS, CATEGORY_COLUMNS, TABLES, TABLES_SQL
from projections.generations import Connection, Recorded


def _upsert(schema: str, table: str, columns: tuple[str, ...]) -> str:
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    return (
        f"INSERT INTO {schema}.{table} ({', '.join(columns)}) VALUES ({placeholders})"
        f" ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"
    )


class CatalogueProjection:
    """Each tenant's areas and own categories: `GET /api/v1/areas` and `/categories` read their own rows only."""

    name: str = "catalogue"
    tables_sql: str = TABLES_SQL
    tables: tuple[str, ...] = TABLES

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        """Apply the batch's area and category events (most batches have none: nothing is written)."""
        events = [r for r in batch if is_catalogue(r.event)]
        if not events:
            return
        areas: dict[Any, Row] = {}
        categories: dict[Any, Row] = {}
        # an area renamed or retired in this batch but defined before it: its row first
        older = list({r.originator_id for r in events if r.version > 1 and isinstance(r.event, Area.Event)})
        if older:
            for row in await conn.fetch(f"SELECT * FROM {schema}.areas WHERE area_id = ANY($1)", older):
                areas[row["area_id"]] = dict(row)
        for r in events:
            changed(areas, categories, r)
        for table, columns, rows in (
            ("areas", AREA_COLUMNS, areas.values()),
            ("categories", CATEGORY_COLUMNS, categories.values()),
        ):
            if rows:
                values_of = itemgetter(*columns)
                await conn.executemany(_upsert(schema, table, columns), [values_of(row) for row in rows])
