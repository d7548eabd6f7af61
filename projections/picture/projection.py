"""The picture read model's apply step: a batch of events to its rows (rows.py), then to its tables (tables.py).

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
from domain.report import Report
from domain.sealing import REDACTED
from projections.generations import COPY_FROM, Connection, Recorded
from projections.picture.rows import (
    Delta,
    Row,
    action_changed,
    area_changed,
    assessment_published,
    boundary_set,
    follow_up_redacted,
    report_changed,
)
from projections.picture.tables import (
    ACTION_COLUMNS,
    ADDED_TABLES_SQL,
    AREA_COLUMNS,
    ASSESSMENT_COLUMNS,
    BOUNDARY_COLUMNS,
    FOLLOW_UP_COLUMNS,
    JSON_COLUMNS,
    REPORT_COLUMNS,
    REPORT_TYPES,
    TABLES,
    TABLES_SQL,
)


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
        self.areas: dict[UUID, Row] = {}
        self.boundaries: dict[UUID, Row] = {}
        self.reports: dict[UUID, Row] = {}
        self.actions: dict[UUID, Row] = {}
        self.follow_ups: list[Row] = []
        self.assessments: dict[tuple[str, UUID, str], Row] = {}
        self.counts: dict[tuple[str, UUID, str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.changed: dict[tuple[str, UUID], int] = {}
        self.redacted_actions: set[UUID] = set()

    def count(self, deltas: tuple[Delta, ...], position: int) -> None:
        for key, reports, occurrences in deltas:
            counts = self.counts[key]
            counts[0] += reports
            counts[1] += occurrences
            self.changed[key[:2]] = position


class PictureProjection:
    """The current picture per area and week, for coordinators and the weekly lägesbild."""

    name: str = "picture"
    tables_sql: str = TABLES_SQL
    added_tables_sql: str = ADDED_TABLES_SQL
    tables: tuple[str, ...] = TABLES

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
        e, oid = r.event, r.originator_id
        if isinstance(e, Report.Event):
            # (a stream's first event has no row to look up: most of a catch-up's events are reports submitted)
            state.reports[oid], deltas = report_changed(None if r.version == 1 else state.reports.get(oid), r)
            state.count(deltas, r.position)
        elif isinstance(e, Action.Event):
            state.actions[oid], follow_up = action_changed(state.actions.get(oid), r)
            if isinstance(e, Action.Planned | Action.StatusChanged):  # the area's open actions changed
                state.changed[(state.actions[oid]["tenant"], state.actions[oid]["area_id"])] = r.position
            if follow_up is not None:
                state.follow_ups.append(follow_up)
            elif isinstance(e, Action.Redacted):
                state.follow_ups = [f if f["action_id"] != oid else follow_up_redacted(f) for f in state.follow_ups]
                state.redacted_actions.add(oid)  # and the follow-ups written before this batch
        elif isinstance(e, Area.Event):
            state.areas[oid] = area_changed(state.areas.get(oid), r)
            if isinstance(e, Area.BoundarySet):
                state.boundaries[oid] = boundary_set(r)
        elif isinstance(e, Assessment.Published):
            key, row = assessment_published(r)
            state.assessments[key] = row
            state.changed[key[:2]] = r.position  # the area's level may have changed
        # drafts, categories: not part of the picture

    async def _write(self, conn: Connection, schema: str, state: _Batch, first: int) -> None:
        """Rows first made by this batch go in by COPY (most of them, in a catch-up); others are upserted."""
        tables: tuple[tuple[str, tuple[str, ...], str, Iterable[dict[str, Any]], tuple[str, ...] | None], ...] = (
            ("reports", REPORT_COLUMNS, "report_id", state.reports.values(), REPORT_TYPES),
            ("actions", ACTION_COLUMNS, "action_id", state.actions.values(), None),
            ("areas", AREA_COLUMNS, "area_id", state.areas.values(), None),
            ("boundaries", BOUNDARY_COLUMNS, "area_id", state.boundaries.values(), None),
            ("follow_ups", FOLLOW_UP_COLUMNS, "action_id, n", state.follow_ups, None),
            ("assessments", ASSESSMENT_COLUMNS, "tenant, area_id, week", state.assessments.values(), None),
        )  # the column types of a table whose changed rows may be upserted from arrays
        for table, columns, key, rows, types in tables:
            new: list[tuple[Any, ...]] = []
            changed: list[tuple[Any, ...]] = []
            values_of, json_at = itemgetter(*columns), [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
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


def _db(value: Any) -> Any:
    """Python values as asyncpg wants them (jsonb as text)."""
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return value
