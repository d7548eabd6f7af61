"""The picture read model: areas, reports, weekly counts, actions, follow-ups, published assessments.

A batch is applied in memory first (rows it touches are loaded once), then written with one
statement per table, so catching up costs a handful of statements per thousand events.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter
from typing import Any
from uuid import UUID

from domain.action import Action
from domain.area import Area
from domain.assessment import Assessment
from domain.report import RETRACTIONS, Report
from domain.sealing import REDACTED
from domain.weeks import week_of
from projections.generations import COPY_FROM, Connection, Recorded

# weekly_counts' key carries the counts (INCLUDE): an area's picture reads its ~100 rows of the
# weeks shown from the index alone, where they lie together, instead of from as many heap pages
# as rows (they were written over months, among every other area's). Measured: 18-50 us (8-16 %)
# of PostgreSQL's CPU per picture read; the updates it makes non-HOT did not slow a catch-up of
# a million events.
# A generation made before this keeps its plain key until `lagesbild rebuild picture`.
TABLES_SQL = """
CREATE TABLE {schema}.areas (
    area_id uuid PRIMARY KEY, tenant text NOT NULL, code text NOT NULL, name text NOT NULL,
    retired boolean NOT NULL, position bigint NOT NULL);
CREATE TABLE {schema}.reports (
    report_id uuid PRIMARY KEY, tenant text NOT NULL, area_id uuid NOT NULL, category text NOT NULL,
    week text NOT NULL, count int NOT NULL, occurred_at text, place text, description text, location jsonb,
    source text NOT NULL, org text NOT NULL, submitted_by text NOT NULL, status text NOT NULL,
    submitted_at timestamptz NOT NULL, first_position bigint NOT NULL, position bigint NOT NULL, version int NOT NULL);
CREATE INDEX ON {schema}.reports (tenant, first_position);
CREATE INDEX ON {schema}.reports (tenant, area_id, submitted_at);
CREATE TABLE {schema}.weekly_counts (
    tenant text NOT NULL, area_id uuid NOT NULL, week text NOT NULL, category text NOT NULL,
    reports int NOT NULL, occurrences int NOT NULL,
    PRIMARY KEY (tenant, area_id, week, category) INCLUDE (reports, occurrences));
CREATE TABLE {schema}.area_changes (
    tenant text NOT NULL, area_id uuid NOT NULL, position bigint NOT NULL, PRIMARY KEY (tenant, area_id));
CREATE INDEX ON {schema}.area_changes (tenant, position);
CREATE TABLE {schema}.actions (
    action_id uuid PRIMARY KEY, tenant text NOT NULL, area_id uuid NOT NULL, title text NOT NULL,
    description text, responsible_org text NOT NULL, status text NOT NULL, starts_on text, ends_on text,
    report_ids uuid[] NOT NULL, categories text[] NOT NULL, planned_week text NOT NULL, started_week text,
    completed_week text, cancelled_week text, follow_ups int NOT NULL, last_follow_up jsonb,
    first_position bigint NOT NULL, position bigint NOT NULL, version int NOT NULL);
CREATE INDEX ON {schema}.actions (tenant, first_position);
CREATE INDEX ON {schema}.actions (tenant, area_id, first_position) WHERE status IN ('planned', 'started');
CREATE TABLE {schema}.follow_ups (
    action_id uuid NOT NULL, n int NOT NULL, tenant text NOT NULL, area_id uuid NOT NULL, effect text NOT NULL,
    note text NOT NULL, by text NOT NULL, org text NOT NULL, week text NOT NULL, recorded_at timestamptz NOT NULL,
    position bigint NOT NULL, PRIMARY KEY (action_id, n));
CREATE INDEX ON {schema}.follow_ups (tenant, week);
CREATE TABLE {schema}.assessments (
    tenant text NOT NULL, area_id uuid NOT NULL, week text NOT NULL, revision int NOT NULL, level text NOT NULL,
    summary text NOT NULL, published_at timestamptz NOT NULL, by text NOT NULL, org text NOT NULL,
    position bigint NOT NULL, PRIMARY KEY (tenant, area_id, week));
"""

_REPORT_COLUMNS = (
    "report_id", "tenant", "area_id", "category", "week", "count", "occurred_at", "place", "description",
    "location", "source", "org", "submitted_by", "status", "submitted_at", "first_position", "position", "version",
)  # fmt: skip
_ACTION_COLUMNS = (
    "action_id", "tenant", "area_id", "title", "description", "responsible_org", "status", "starts_on", "ends_on",
    "report_ids", "categories", "planned_week", "started_week", "completed_week", "cancelled_week", "follow_ups",
    "last_follow_up", "first_position", "position", "version",
)  # fmt: skip
_AREA_COLUMNS = ("area_id", "tenant", "code", "name", "retired", "position")
_FOLLOW_UP_COLUMNS = (
    "action_id", "n", "tenant", "area_id", "effect", "note", "by", "org", "week", "recorded_at", "position",
)  # fmt: skip
_ASSESSMENT_COLUMNS = (
    "tenant", "area_id", "week", "revision", "level", "summary", "published_at", "by", "org", "position",
)  # fmt: skip


_JSON_COLUMNS = frozenset(("location", "last_follow_up"))
# The reports' column types, for changing many at once from arrays (corrections and retractions in a catch-up;
# the actions' have arrays of their own, which unnest cannot carry).
_REPORT_TYPES = (
    "uuid", "text", "uuid", "text", "text", "int", "text", "text", "text",
    "jsonb", "text", "text", "text", "text", "timestamptz", "bigint", "bigint", "int",
)  # fmt: skip


def _upsert(schema: str, table: str, columns: tuple[str, ...], key: str) -> str:
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key.split(", "))
    return (
        f"INSERT INTO {schema}.{table} ({', '.join(columns)}) VALUES ({placeholders})"
        f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


def _upsert_arrays(schema: str, table: str, columns: tuple[str, ...], types: tuple[str, ...], key: str) -> str:
    """The upsert of many rows given as one array per column: one statement, not one per row."""
    arrays = ", ".join(f"${i}::{'text' if t == 'jsonb' else t}[]" for i, t in enumerate(types, 1))
    values = ", ".join(f"u.{c}::jsonb" if t == "jsonb" else f"u.{c}" for c, t in zip(columns, types, strict=True))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key.split(", "))
    return (
        f"INSERT INTO {schema}.{table} ({', '.join(columns)}) SELECT {values}"
        f" FROM unnest({arrays}) AS u({', '.join(columns)}) ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


class _Batch:
    """The rows one batch touches, changed in memory, then written once."""

    def __init__(self) -> None:
        self.areas: dict[UUID, dict[str, Any]] = {}
        self.reports: dict[UUID, dict[str, Any]] = {}
        self.actions: dict[UUID, dict[str, Any]] = {}
        self.follow_ups: list[dict[str, Any]] = []
        self.assessments: dict[tuple[str, UUID, str], dict[str, Any]] = {}
        self.counts: dict[tuple[str, UUID, str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.changed: dict[tuple[str, UUID], int] = {}
        self.redacted_actions: set[UUID] = set()

    def count(self, report: dict[str, Any], sign: int, position: int) -> None:
        key = (report["tenant"], report["area_id"], report["week"], report["category"])
        self.counts[key][0] += sign
        self.counts[key][1] += sign * report["count"]
        self.changed[(report["tenant"], report["area_id"])] = position


class PictureProjection:
    """The current picture per area and week, for coordinators and the weekly lägesbild."""

    name: str = "picture"
    tables_sql: str = TABLES_SQL
    tables: tuple[str, ...] = (
        "areas",
        "reports",
        "weekly_counts",
        "area_changes",
        "actions",
        "follow_ups",
        "assessments",
    )

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        """Apply a batch of events to the picture."""
        state = _Batch()
        await self._load(conn, schema, batch, state)
        for recorded in batch:
            self._apply_one(recorded, state)
        await self._write(conn, schema, state, batch[0].position)

    async def _load(self, conn: Connection, schema: str, batch: list[Recorded], state: _Batch) -> None:
        """Fetch the existing rows this batch changes (those created before it)."""
        created = {r.originator_id for r in batch if r.version == 1}
        later = [r for r in batch if r.originator_id not in created]
        for table, key, into, kind in (
            ("reports", "report_id", state.reports, Report.Event),
            ("actions", "action_id", state.actions, Action.Event),
            ("areas", "area_id", state.areas, Area.Event),
        ):
            # ask each table for its own aggregates only (a long list of others' ids can cost a scan)
            ids = list({r.originator_id for r in later if isinstance(r.event, kind)})
            if ids:
                for row in await conn.fetch(f"SELECT * FROM {schema}.{table} WHERE {key} = ANY($1)", ids):
                    into[row[key]] = dict(row)

    def _apply_one(self, r: Recorded, state: _Batch) -> None:
        e, oid, pos = r.event, r.originator_id, r.position
        if isinstance(e, Report.Submitted):
            row = {
                "report_id": oid, "tenant": e.tenant, "area_id": e.area_id, "category": e.category, "week": e.week,
                "count": e.count, "occurred_at": e.occurred_at, "place": e.place, "description": e.description,
                "location": e.location, "source": e.source, "org": e.org, "submitted_by": e.by,
                "status": "active", "submitted_at": r.recorded_at, "first_position": pos,
            }  # fmt: skip
            state.reports[oid] = row
            state.count(row, +1, pos)
        elif isinstance(e, Report.Corrected):
            row = state.reports[oid]
            if row["status"] == "active":
                state.count(row, -1, pos)
            for field, change in e.changes.items():
                row[field] = change["new"]
            if row["status"] == "active":
                state.count(row, +1, pos)
        elif isinstance(e, RETRACTIONS):
            row = state.reports[oid]
            row["status"] = "retracted"
            state.count(row, -1, pos)
        elif isinstance(e, Report.Redacted):
            _redact(state.reports[oid], ("place", "description"))
        elif isinstance(e, Action.Planned):
            state.actions[oid] = {
                "action_id": oid, "tenant": e.tenant, "area_id": e.area_id, "title": e.title,
                "description": e.description, "responsible_org": e.responsible_org, "status": "planned",
                "starts_on": e.starts_on, "ends_on": e.ends_on, "report_ids": e.report_ids,
                "categories": e.categories, "planned_week": week_of(r.recorded_at), "started_week": None,
                "completed_week": None, "cancelled_week": None, "follow_ups": 0, "last_follow_up": None,
                "first_position": pos,
            }  # fmt: skip
        elif isinstance(e, Action.StatusChanged):
            row = state.actions[oid]
            status = {Action.Started: "started", Action.Completed: "completed", Action.Cancelled: "cancelled"}[type(e)]
            row["status"] = status
            row[f"{status}_week"] = week_of(r.recorded_at)
        elif isinstance(e, Action.FollowedUp):
            row = state.actions[oid]
            row["follow_ups"] += 1
            follow_up = {
                "action_id": oid, "n": row["follow_ups"], "tenant": e.tenant, "area_id": row["area_id"],
                "effect": e.effect, "note": e.note, "by": e.by, "org": e.org, "week": week_of(r.recorded_at),
                "recorded_at": r.recorded_at, "position": pos,
            }  # fmt: skip
            state.follow_ups.append(follow_up)
            row["last_follow_up"] = {k: follow_up[k] for k in ("effect", "note", "week", "org")}
        elif isinstance(e, Action.Redacted):
            row = state.actions[oid]
            _redact(row, ("description",))
            if row["last_follow_up"] is not None:
                row["last_follow_up"] = _parsed(row["last_follow_up"]) | {"note": REDACTED}
            for follow_up in state.follow_ups:
                if follow_up["action_id"] == oid:
                    follow_up["note"] = REDACTED
            state.redacted_actions.add(oid)  # and the follow-ups written before this batch
        elif isinstance(e, Assessment.Published):
            state.assessments[(e.tenant, e.area_id, e.week)] = {
                "tenant": e.tenant, "area_id": e.area_id, "week": e.week, "revision": e.revision,
                "level": e.level, "summary": e.summary, "published_at": r.recorded_at, "by": e.by, "org": e.org,
                "position": pos,
            }  # fmt: skip
        elif isinstance(e, Area.Defined):
            state.areas[oid] = {"area_id": oid, "tenant": e.tenant, "code": e.code, "name": e.name, "retired": False}
        elif isinstance(e, Area.Renamed):
            state.areas[oid]["name"] = e.name
        elif isinstance(e, Area.Retired):
            state.areas[oid]["retired"] = True
        else:
            return  # drafts, categories: not part of the picture
        for rows in (state.reports, state.actions, state.areas):
            if oid in rows:
                rows[oid]["position"], rows[oid]["version"] = pos, r.version

    async def _write(self, conn: Connection, schema: str, state: _Batch, first: int) -> None:
        """Rows first made by this batch go in by COPY (most of them, in a catch-up); others are upserted."""
        tables: tuple[tuple[str, tuple[str, ...], str, Iterable[dict[str, Any]], tuple[str, ...] | None], ...] = (
            ("reports", _REPORT_COLUMNS, "report_id", state.reports.values(), _REPORT_TYPES),
            ("actions", _ACTION_COLUMNS, "action_id", state.actions.values(), None),
            ("areas", _AREA_COLUMNS, "area_id", state.areas.values(), None),
            ("follow_ups", _FOLLOW_UP_COLUMNS, "action_id, n", state.follow_ups, None),
            ("assessments", _ASSESSMENT_COLUMNS, "tenant, area_id, week", state.assessments.values(), None),
        )  # the column types of a table whose changed rows may be upserted from arrays
        for table, columns, key, rows, types in tables:
            new: list[tuple[Any, ...]] = []
            changed: list[tuple[Any, ...]] = []
            values_of, json_at = itemgetter(*columns), [i for i, c in enumerate(columns) if c in _JSON_COLUMNS]
            for row in rows:
                values = values_of(row)
                for i in json_at:
                    if isinstance(values[i], dict):  # jsonb goes as text
                        values = (*values[:i], _db(values[i]), *values[i + 1 :])
                # a row whose first event is in this batch cannot exist yet (the checkpoint commits with it)
                is_new = table == "follow_ups" or row.get("first_position", 0) >= first
                (new if is_new else changed).append(values)
            if len(new) >= COPY_FROM:
                await conn.copy_records_to_table(table, records=new, columns=columns, schema_name=schema.strip('"'))
            else:
                changed += new
            if types and len(changed) >= COPY_FROM:
                by_column = zip(*changed, strict=True)
                await conn.execute(_upsert_arrays(schema, table, columns, types, key), *by_column)
            elif changed:
                await conn.executemany(_upsert(schema, table, columns, key), changed)
        if state.redacted_actions:
            await conn.execute(
                f"UPDATE {schema}.follow_ups SET note = $2 WHERE action_id = ANY($1)",
                list(state.redacted_actions),
                REDACTED,
            )
        if state.counts:
            keys, deltas = list(state.counts), list(state.counts.values())
            await conn.execute(
                f"INSERT INTO {schema}.weekly_counts (tenant, area_id, week, category, reports, occurrences)"
                " SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::int[])"
                " ON CONFLICT (tenant, area_id, week, category) DO UPDATE SET"
                " reports = weekly_counts.reports + excluded.reports,"
                " occurrences = weekly_counts.occurrences + excluded.occurrences",
                [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys], [k[3] for k in keys],
                [d[0] for d in deltas], [d[1] for d in deltas],
            )  # fmt: skip
        if state.changed:
            keys2 = list(state.changed)
            await conn.execute(
                f"INSERT INTO {schema}.area_changes (tenant, area_id, position)"
                " SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[])"
                " ON CONFLICT (tenant, area_id) DO UPDATE SET position = excluded.position",
                [k[0] for k in keys2], [k[1] for k in keys2], [state.changed[k] for k in keys2],
            )  # fmt: skip


def _redact(row: dict[str, Any], fields: tuple[str, ...]) -> None:
    """What a rebuild would hold once the key is gone: REDACTED where there was text."""
    for field in fields:
        if row[field] is not None:
            row[field] = REDACTED


def _parsed(value: Any) -> dict[str, Any]:
    """A jsonb value as loaded (text) or as made in this batch (a dict)."""
    parsed: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return parsed


def _db(value: Any) -> Any:
    """Python values as asyncpg wants them (jsonb as text)."""
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return value
