"""The baseline of bench/projections.py: the audit trail kept by the eventsourcing library's own runner.

The library's way of projecting: `eventsourcing.projection.ProjectionRunner` subscribes to an
application's recorder (here our `stored_events`, as the application named "Stored" sees it)
and calls the projection once per event; the view, a `PostgresTrackingRecorder`, writes the
event's audit entry and its tracking record in one transaction per event. The entry is the
one our AuditProjection writes (same table, summary and area; the time is the event's own,
as the library's notifications do not carry `recorded_at`).
"""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.application import Application
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner

from projections.audit.entries import aggregate_type, area_of, summary_of
from projections.audit.projection import TABLES_SQL
from tests.support.library import library_env

SCHEMA = "library_audit"
TRACKING = "library_audit_tracking"  # the library's name for the projection's tracking table


class _Stored(Application[UUID]):
    """Our event log as the library sees it: the application "Stored" reads table `stored_events`."""

    name = "Stored"


class _AuditView(PostgresTrackingRecorder):
    """The audit entries, each written with its tracking record in one transaction."""

    def record(self, event: Any, tracking: Tracking) -> None:
        oid = event.originator_id
        with self.datastore.transaction(commit=True) as curs:
            streams: dict[UUID, UUID | None] = {}
            if event.originator_version > 1:  # the stream's area: its latest entry's, as ours reads it
                curs.execute(
                    f"SELECT area_id FROM {SCHEMA}.entries WHERE tenant = %s AND aggregate_id = %s"
                    " ORDER BY position DESC LIMIT 1",
                    (event.tenant, oid),
                    prepare=True,
                )
                row = curs.fetchone()
                if row is not None:
                    streams[oid] = row["area_id"]
            area = area_of(event, oid, streams.get(oid))
            curs.execute(
                f"INSERT INTO {SCHEMA}.entries (position, recorded_at, tenant, actor, org, event_type, aggregate_type,"
                " aggregate_id, version, area_id, summary) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    tracking.notification_id, event.timestamp, event.tenant, event.by, event.org,
                    type(event).__name__, aggregate_type(event), oid, event.originator_version, area,
                    json.dumps(summary_of(event), default=str, ensure_ascii=False),
                ),
                prepare=True,
            )  # fmt: skip
            self._insert_tracking(curs, tracking)


class _LibraryAudit(Projection[_AuditView]):
    name = "library_audit"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        if hasattr(domain_event, "tenant"):
            self.view.record(domain_event, tracking)
        else:
            self.view.insert_tracking(tracking)


class _TrackingOnly(_LibraryAudit):
    """The library's floor: a projection that writes nothing but its tracking record."""

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)


async def create_tables(dsn: str) -> None:
    """Empty audit tables in a schema of the baseline's own (the library makes its tracking table)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {TRACKING}; DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await conn.execute(f"CREATE SCHEMA {SCHEMA}")
        await conn.execute(TABLES_SQL.format(schema=SCHEMA))
    finally:
        await conn.close()


def run_library(dsn: str, events: int, tracking_only: bool = False, timeout: float = 600.0) -> tuple[int, float]:
    """Let the library's runner project the log from the start; (events, seconds) after its warm-up to `events`.

    Blocking (the library runs in threads); call create_tables first. The first 500 events (a
    tenth of a short run) are left out of the timing (connection pools, threads and the first
    queries warming up).
    """
    warm_up = min(500, events // 10)
    env = library_env(dsn) | {"PERSISTENCE_MODULE": "eventsourcing.postgres", "STORED_CREATE_TABLE": "no"}
    projection = _TrackingOnly if tracking_only else _LibraryAudit
    with ProjectionRunner(
        application_class=_Stored, projection_class=projection, view_class=_AuditView, env=env
    ) as runner:
        view, deadline = runner.projection.view, time.monotonic() + timeout
        start: tuple[int, float] | None = None
        while time.monotonic() < deadline:
            reached = view.max_tracking_id(_Stored.name) or 0
            now = time.perf_counter()
            if start is None and reached >= warm_up:
                start = (reached, now)
            if start is not None and reached >= events:
                return reached - start[0], now - start[1]
            runner.run_forever(timeout=0.02)  # re-raises the projection's error, if any
    raise TimeoutError(f"the library's runner did not reach {events} events in {timeout:g} s")
