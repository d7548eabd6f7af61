"""The audit trail: one entry per event, who shared what and when, with what changed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from domain.action import Action
from domain.area import Area
from domain.assessment import Assessment
from domain.category import Category
from domain.report import Report
from domain.sealing import redact, sealed_paths
from projections.generations import Connection, Recorded

# The summary is json, not jsonb: it is written once and read back whole, never queried into, and
# PostgreSQL keeps json as the text it is given. Measured in a catch-up of the audit trail alone
# (400,000 events, twice each): PostgreSQL's CPU per event 17 / 15 against 20 / 18 µs with jsonb,
# the COPY of the entries 6.3 / 5.4 against 6.8 / 6.5 s. A generation made before this keeps its
# jsonb column until `lagesbild rebuild audit` (both answer the same: the summary's text, decoded).
TABLES_SQL = """
CREATE TABLE {schema}.entries (
    position bigint PRIMARY KEY, recorded_at timestamptz NOT NULL, tenant text NOT NULL, actor text NOT NULL,
    org text NOT NULL, event_type text NOT NULL, aggregate_type text NOT NULL, aggregate_id uuid NOT NULL,
    version bigint NOT NULL, area_id uuid, summary json NOT NULL);
CREATE INDEX ON {schema}.entries (tenant, position);
CREATE INDEX ON {schema}.entries (tenant, recorded_at);
CREATE INDEX ON {schema}.entries (tenant, aggregate_id, position);
"""
_COLUMNS = (
    "position", "recorded_at", "tenant", "actor", "org", "event_type", "aggregate_type", "aggregate_id",
    "version", "area_id", "summary",
)  # fmt: skip
_JSON = msgspec.json.Encoder(enc_hook=str)  # as json.dumps(default=str), several times faster
_SKIP = {"originator_id", "originator_version", "timestamp", "originator_topic", "by", "org", "tenant"}


def _sealed_by_type() -> dict[tuple[str, str], tuple[str, ...]]:
    """(aggregate type, event type) -> the free-text paths its events seal (and so its summaries hold)."""
    found = {}
    for aggregate in (Report, Action):
        for event_class in vars(aggregate).values():
            if isinstance(event_class, type) and sealed_paths(event_class):
                found[(aggregate.__name__, event_class.__name__)] = sealed_paths(event_class)
    return found


_SEALED = _sealed_by_type()
_REDACTIONS = (Report.Redacted, Action.Redacted)


def summary_of(event: Any) -> dict[str, Any]:
    """What the event says, less the envelope: for a correction, the fields with old and new values."""
    if isinstance(event, Report.Corrected):
        return {"changes": event.changes, "reason": event.reason}
    return {k: v for k, v in vars(event).items() if k not in _SKIP}


def _area_of(event: Any, oid: UUID, streams: dict[UUID, UUID | None]) -> UUID | None:
    if isinstance(event, Area.Event):
        return oid
    if isinstance(event, (Report.Submitted, Action.Planned, Assessment.Drafted)):
        return _uuid(event.area_id)
    if isinstance(event, Report.Corrected) and "area_id" in event.changes:
        return _uuid(event.changes["area_id"]["new"])
    return streams.get(oid)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class AuditProjection:
    """Every event of every aggregate, for auditors: `GET /api/v1/audit`."""

    name: str = "audit"
    tables_sql: str = TABLES_SQL
    tables: tuple[str, ...] = ("entries",)

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        """Append one entry per event; an event that does not name its area is about its stream's."""
        # A stream's area is the one its latest entry names (the index on tenant, aggregate, position).
        older = {(r.event.tenant, r.originator_id) for r in batch if r.version > 1 and hasattr(r.event, "tenant")}
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
        entries = []
        for r in batch:
            e = r.event
            if not hasattr(e, "tenant"):
                continue
            area = streams[r.originator_id] = _area_of(e, r.originator_id, streams)
            entries.append(
                (
                    r.position, r.recorded_at, e.tenant, e.by, e.org, type(e).__name__,
                    _aggregate_type(e), r.originator_id, r.version, area,
                    _JSON.encode(summary_of(e)).decode(),
                )
            )  # fmt: skip
        if entries:
            await conn.copy_records_to_table(
                "entries", records=entries, columns=_COLUMNS, schema_name=schema.strip('"')
            )
        redacted = [(r.event.tenant, r.originator_id) for r in batch if isinstance(r.event, _REDACTIONS)]
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
        paths = _SEALED.get((row["aggregate_type"], row["event_type"]))
        if paths:
            changed.append((row["position"], _JSON.encode(redact(msgspec.json.decode(row["summary"]), paths)).decode()))
    if changed:
        await conn.execute(
            f"UPDATE {schema}.entries e SET summary = c.summary::json"  # (an older generation's jsonb: cast)
            " FROM unnest($1::bigint[], $2::text[]) AS c(position, summary) WHERE e.position = c.position",
            [c[0] for c in changed],
            [c[1] for c in changed],
        )


def _aggregate_type(event: Any) -> str:
    for cls in (Report, Action, Assessment, Area, Category):
        if isinstance(event, cls.Event):
            return cls.__name__
    return type(event).__qualname__.split(".")[0]
