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
from projections.generations import COPY_FROM, Connection, Recorded

TABLES_SQL = """
CREATE TABLE {schema}.entries (
    position bigint PRIMARY KEY, recorded_at timestamptz NOT NULL, tenant text NOT NULL, actor text NOT NULL,
    org text NOT NULL, event_type text NOT NULL, aggregate_type text NOT NULL, aggregate_id uuid NOT NULL,
    version bigint NOT NULL, area_id uuid, summary jsonb NOT NULL);
CREATE INDEX ON {schema}.entries (tenant, position);
CREATE INDEX ON {schema}.entries (tenant, recorded_at);
CREATE INDEX ON {schema}.entries (tenant, aggregate_id, position);
CREATE TABLE {schema}.streams (stream_id uuid PRIMARY KEY, area_id uuid);
"""
_COLUMNS = (
    "position", "recorded_at", "tenant", "actor", "org", "event_type", "aggregate_type", "aggregate_id",
    "version", "area_id", "summary",
)  # fmt: skip
_JSON = msgspec.json.Encoder(enc_hook=str)  # as json.dumps(default=str), several times faster
_SKIP = {"originator_id", "originator_version", "timestamp", "originator_topic", "by", "org", "tenant"}


def summary_of(event: Any) -> dict[str, Any]:
    """What the event says, less the envelope: for a correction, the fields with old and new values."""
    if isinstance(event, Report.Corrected):
        return {"changes": event.changes, "reason": event.reason}
    return {k: v for k, v in vars(event).items() if k not in _SKIP}


def _area_of(event: Any, oid: UUID, streams: dict[UUID, UUID | None]) -> UUID | None:
    if isinstance(event, Area.Event):
        return oid
    if isinstance(event, (Report.Submitted, Action.Planned, Assessment.Drafted)):
        return UUID(str(event.area_id))
    if isinstance(event, Report.Corrected) and "area_id" in event.changes:
        return UUID(str(event.changes["area_id"]["new"]))
    return streams.get(oid)


class AuditProjection:
    """Every event of every aggregate, for auditors: `GET /api/v1/audit`."""

    name: str = "audit"
    tables_sql: str = TABLES_SQL
    tables: tuple[str, ...] = ("entries",)

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        """Append one entry per event (COPY), and remember which area each stream is about."""
        ids = list({r.originator_id for r in batch if r.version > 1})
        streams: dict[UUID, UUID | None] = {}
        if ids:
            rows = await conn.fetch(f"SELECT stream_id, area_id FROM {schema}.streams WHERE stream_id = ANY($1)", ids)
            streams = {r["stream_id"]: r["area_id"] for r in rows}
        entries, changed = [], {}
        for r in batch:
            e = r.event
            if not hasattr(e, "tenant"):
                continue
            area = _area_of(e, r.originator_id, streams)
            if streams.get(r.originator_id) != area:
                streams[r.originator_id] = changed[r.originator_id] = area
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
        # a stream first seen in this batch has no row yet (the checkpoint commits with it): many go by COPY
        created = {r.originator_id for r in batch if r.version == 1}
        new = {stream: area for stream, area in changed.items() if stream in created}
        if len(new) >= COPY_FROM:
            await conn.copy_records_to_table("streams", records=list(new.items()), schema_name=schema.strip('"'))
            changed = {stream: area for stream, area in changed.items() if stream not in new}
        if changed:
            await conn.execute(
                f"INSERT INTO {schema}.streams (stream_id, area_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])"
                " ON CONFLICT (stream_id) DO UPDATE SET area_id = excluded.area_id",
                list(changed),
                list(changed.values()),
            )


def _aggregate_type(event: Any) -> str:
    for cls in (Report, Action, Assessment, Area, Category):
        if isinstance(event, cls.Event):
            return cls.__name__
    return type(event).__qualname__.split(".")[0]
