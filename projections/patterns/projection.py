"""The patterns read model's tables and apply step: occurrences per area, category, day and hour (rows.py decides).

A read model of its own rather than more tables in the picture: a new read model gets its first
generation and catches up from position zero by itself, where a picture generation made before
it would lack the tables until `lagesbild rebuild picture` (and picture/projection.py is near the
size a module may have). It keeps its own small copy of each report (where, what, when, how
many, whether retracted), so a correction or a retraction moves or removes exactly the
occurrences the report added, as the picture's weekly counts do.
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from domain.report import Report
from projections.generations import COPY_FROM, Connection, Recorded
from projections.patterns.rows import Row, SlotKey, report_changed

# counts' key carries the occurrences (INCLUDE): an area's patterns read a year of its rows from the index alone.
TABLES_SQL = """
CREATE TABLE {schema}.reports (
    report_id uuid PRIMARY KEY, tenant text NOT NULL, area_id uuid NOT NULL, category text NOT NULL,
    week text NOT NULL, occurred_at text, count int NOT NULL, active boolean NOT NULL);
CREATE TABLE {schema}.counts (
    tenant text NOT NULL, area_id uuid NOT NULL, day date NOT NULL, hour smallint NOT NULL, category text NOT NULL,
    occurrences int NOT NULL, PRIMARY KEY (tenant, area_id, day, hour, category) INCLUDE (occurrences));
"""
REPORT_COLUMNS = ("report_id", "tenant", "area_id", "category", "week", "occurred_at", "count", "active")
_REPORT_TYPES = ("uuid", "text", "uuid", "text", "text", "text", "int", "boolean")


class PatternsProjection:
    """When an area's reports happen: `GET /api/v1/areas/{id}/patterns`."""

    name: str = "patterns"
    tables_sql: str = TABLES_SQL
    tables: tuple[str, ...] = ("reports", "counts")

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        """Apply a batch's report events in memory (rows loaded once), then write with one statement per table."""
        events = [r for r in batch if isinstance(r.event, Report.Event)]
        if not events:
            return
        reports: dict[UUID, Row] = {}
        later = list({r.originator_id for r in events if r.version > 1})
        if later:
            for row in await conn.fetch(f"SELECT * FROM {schema}.reports WHERE report_id = ANY($1)", later):
                reports[row["report_id"]] = dict(row)
        counts: Counter[SlotKey] = Counter()
        for r in events:
            reports[r.originator_id], deltas = report_changed(reports.get(r.originator_id), r)
            for key, n in deltas:
                counts[key] += n
        await _write_reports(conn, schema, reports, {r.originator_id for r in events if r.version == 1})
        changed = [(key, n) for key, n in counts.items() if n]
        if changed:
            await conn.execute(
                f"INSERT INTO {schema}.counts (tenant, area_id, category, day, hour, occurrences)"
                " SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::date[], $5::smallint[], $6::int[])"
                " ON CONFLICT (tenant, area_id, day, hour, category)"
                " DO UPDATE SET occurrences = counts.occurrences + excluded.occurrences",
                *([key[i] for key, _ in changed] for i in range(5)),
                [n for _, n in changed],
            )


async def _write_reports(conn: Connection, schema: str, reports: dict[UUID, Row], created: set[UUID]) -> None:
    """Reports first made in this batch go in by COPY (most of a catch-up's); the others are upserted from arrays."""
    new = [tuple(row[c] for c in REPORT_COLUMNS) for oid, row in reports.items() if oid in created]
    changed = [row for oid, row in reports.items() if oid not in created]
    if len(new) >= COPY_FROM:
        await conn.copy_records_to_table("reports", records=new, columns=REPORT_COLUMNS, schema_name=schema.strip('"'))
    else:
        changed += [dict(zip(REPORT_COLUMNS, values, strict=True)) for values in new]
    if changed:
        arrays = ", ".join(f"${i}::{t}[]" for i, t in enumerate(_REPORT_TYPES, 1))
        updates = ", ".join(f"{c} = excluded.{c}" for c in REPORT_COLUMNS[1:])
        await conn.execute(
            f"INSERT INTO {schema}.reports ({', '.join(REPORT_COLUMNS)}) SELECT * FROM unnest({arrays})"
            f" ON CONFLICT (report_id) DO UPDATE SET {updates}",
            *([row[c] for row in changed] for c in REPORT_COLUMNS),
        )
