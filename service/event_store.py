"""The event store: append, load and read event-sourced aggregates on PostgreSQL via asyncpg.

Appends are written by the group-commit writer (service/group_commit.py); loads and reads use
the service's connection pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

import asyncpg
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, Notification, StoredEvent

from projections.unavailable import DEFAULT_LIMITS, Limits
from service.group_commit import (
    AppendResult,
    ConcurrencyConflict,
    GroupCommitWriter,
    PendingAppend,
    StoreUnavailable,
)

__all__ = [
    "AggregateNotFound",
    "AppendResult",
    "ConcurrencyConflict",
    "EventStore",
    "StoreUnavailable",
]


class AggregateNotFound(LookupError):
    """No events are stored for this aggregate (at or below the asked version)."""

    def __init__(self, originator_id: UUID) -> None:
        super().__init__(f"no aggregate {originator_id}")
        self.originator_id = originator_id


class EventStore:
    """Appends and loads event-sourced aggregates; `open()` before use, `close()` after."""

    def __init__(
        self,
        dsn: str,
        pool: asyncpg.Pool,
        mapper: Mapper[UUID],
        limits: Limits = DEFAULT_LIMITS,
        resolve_seconds: float = 5.0,
    ) -> None:
        """`limits` bound the writer's connects and statements; `resolve_seconds` an append in doubt."""
        self.pool, self.mapper = pool, mapper
        self._writer = GroupCommitWriter(dsn, limits=limits, resolve_seconds=resolve_seconds)

    async def open(self) -> None:
        """Connect the writer."""
        await self._writer.open()

    async def close(self) -> None:
        """Let writes in flight finish (appends still waiting fail) and disconnect."""
        await self._writer.close()

    async def append(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        """Store `events` of one aggregate that was at `expected_version` (0: new).

        All events are stored together or none is. Raises ConcurrencyConflict if the
        aggregate is at another version. With an `idempotency_key` seen before, stores
        nothing and returns the first result (`replayed=True`). StoreUnavailable if the
        database is away: nothing was stored, or (`maybe_stored`) that could not be found out.
        """
        if not events:
            raise ValueError("nothing to append")
        records = [self.mapper.to_stored_event(e) for e in events]
        originator_id = records[0].originator_id
        assert isinstance(originator_id, UUID)
        for offset, record in enumerate(records, start=1):
            if record.originator_id != originator_id:
                raise ValueError("an append holds the events of one aggregate")
            if record.originator_version != expected_version + offset:
                raise ValueError(f"event versions must follow on from {expected_version} without gaps")
        pending = PendingAppend(originator_id, expected_version, records, idempotency_key)
        return await self._writer.submit(pending)

    async def events(self, originator_id: UUID, version: int | None = None) -> list[DomainEventProtocol[UUID]]:
        """The aggregate's events in order, up to `version` if given."""
        rows = await self.pool.fetch(
            "SELECT originator_version, topic, state FROM stored_events"
            " WHERE originator_id = $1 AND ($2::bigint IS NULL OR originator_version <= $2)"
            " ORDER BY originator_version",
            originator_id,
            version,
        )
        return [
            self.mapper.to_domain_event(
                StoredEvent(originator_id, row["originator_version"], row["topic"], row["state"])
            )
            for row in rows
        ]

    async def load(self, originator_id: UUID, version: int | None = None) -> Any:
        """The aggregate rebuilt from its events (as it was at `version`, if given)."""
        aggregate: Any = None
        for event in await self.events(originator_id, version):
            aggregate = cast(Any, event).mutate(aggregate)
        if aggregate is None:
            raise AggregateNotFound(originator_id)
        return aggregate

    async def read(self, after: int, limit: int = 1000) -> list[Notification]:
        """Up to `limit` stored events with position > `after`, in log order."""
        rows = await self.pool.fetch(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM stored_events WHERE notification_id > $1 ORDER BY notification_id LIMIT $2",
            after,
            limit,
        )
        return [Notification(r[1], r[2], r[3], bytes(r[4]), r[0]) for r in rows]

    async def head(self) -> int:
        """The position of the last stored event (0 when the log is empty)."""
        value = await self.pool.fetchval("SELECT coalesce(max(notification_id), 0) FROM stored_events")
        return int(value)
