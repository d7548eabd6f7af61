"""The audit trail's tables and apply step: one entry per event, who shared what and when, with what changed."""

from __future__ import annotations

from uuid import UUID

from projections.audit.entries import AREA, COLUMNS, REDACTIONS, Entry, entry_of, is_audited, redacted_summary
from projections.generations import Connection, Recorded

# The summary is json, not jsonb: it is written once and read back whole, never queried into, and
# PostgreSQL keeps json as the text it is given, which costs a catch-up less (bench/RESULTS.md,
# "Figures behind the code's choices"). A generation made before this keeps its jsonb column until
# `lagesbild rebuild audit` (both answer the same: the summary's text, decoded).
TABLES_SQL = """
CREATE TABLE {schema}.entries (
    position bigint PRIMARY KEY, recorded_at timestamptz NOT NULL, tenant text NOT NULL, actor text NOT NULL,
    org text NOT NULL, event_type text NOT NULL, aggregate_type text NOT NULL, aggregate_id uuid NOT NULL,
    version bigint NOT NULL, area_id uuid, summary json NOT NULL);
CREATE INDEX ON {schema}.entries (tenant, position);
CREATE INDEX ON {schema}.entries (tenant, recorded_at);
CREATE INDEX ON {schema}.entries (tenant, aggregate_id, position);
"""


class AuditProjection:
    """Every event of every aggregate, for auditors: `GET /api/v1/audit`."""

    name: str = "audit"
    tables_sql: str = TABLES_SQL
    tables: tuple[str, ...] = ("entries",)

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        """Append one entry per event; an event that does not name its area is about its stream's."""
        # A stream's area is the one its latest entry names (the index on tenant, aggregate, position).
        older = {(r.event.tenant, r.originator_id) for r in batch if r.version > 1 and is_audited(r.event)}
        streams: dict[UUID, UUID | None] = {}
        if older:
            rows = await conn.fetch(
                f"SELECT s.id, (SELECT e.area_id FROM {schema}.entries e WHERE e.tenant = s.tenant"
                " AND e.aggregate_id = s.id ORDER BY e.position DESC LIMIT 1)"
                " FROM unnest($1::text[], $2::uuid[]) AS s(tenant, id)",
                [o[0] for o in older],
                [o[1] for o in older],
            )
            streams = {r[0]: r[1] for r in rows}
        entries: list[Entry] = []
        for r in batch:
            if is_audited(r.event):
                entry = entry_of(r, streams.get(r.originator_id))
                streams[r.originator_id] = entry[AREA]
                entries.append(entry)
        if entries:
            await conn.copy_records_to_table("entries", records=entries, columns=COLUMNS, schema_name=schema.strip('"'))
        redacted = [(r.event.tenant, r.originator_id) for r in batch if isinstance(r.event, REDACTIONS)]
        if redacted:
            await _scrub(conn, schema, redacted)


async def _scrub(conn: Connection, schema: str, streams: list[tuple[str, UUID]]) -> None:
    """Replace the free text of these (tenant, stream)s' entries by REDACTED, as a rebuild would show them now."""
    rows = await conn.fetch(
        f"SELECT position, aggregate_type, event_type, summary FROM {schema}.entries"
        " WHERE (tenant, aggregate_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))",
        [s[0] for s in streams],
        [s[1] for s in streams],
    )
    changed = []
    for row in rows:
        summary = redacted_summary(row["aggregate_type"], row["event_type"], row["summary"])
        if summary is not None:
            changed.append((row["position"], summary))
    if changed:
        await conn.execute(
            f"UPDATE {schema}.entries e SET summary = c.summary::json"  # (an older generation's jsonb: cast)
            " FROM unnest($1::bigint[], $2::text[]) AS c(position, summary) WHERE e.position = c.position",
            [c[0] for c in changed],
            [c[1] for c in changed],
        )
