"""The event store: append, load and read event-sourced aggregates on PostgreSQL via asyncpg.

Appends are written by the group-commit writer (service/store/group_commit.py); loads and reads use
the service's connection pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast
from uuid import UUID

import asyncpg
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification, StoredEvent

from domain.codec import SealingMapper
from domain.sealing import new_key, sealed_paths
from projections.connections import DEFAULT_LIMITS, Limits
from service.store.appends import IdempotencyKeyReused
from service.store.group_commit import (
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
    "IdempotencyKeyReused",
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
        mapper: SealingMapper,
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

    def observe_groups(self, callback: Callable[[Sequence[PendingAppend]], None]) -> None:
        """Tell `callback` of each group of appends as it is written (the service's metrics)."""
        self._writer.on_group = callback

    async def append(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        expected_version: int,
        idempotency_key: str | None = None,
        fingerprint: bytes | None = None,
    ) -> AppendResult:
        """Store `events` of one aggregate that was at `expected_version` (0: new).

        All events are stored together or none is. Raises ConcurrencyConflict if the
        aggregate is at another version. With an `idempotency_key` seen before, stores
        nothing and returns the first result (`replayed=True`); seen with another `fingerprint`
        (what the request asked), stores nothing and raises IdempotencyKeyReused. Free text is sealed with the
        aggregate's data key, made with its first sealed append and stored along with it.
        StoreUnavailable if the database is away: nothing was stored, or (`maybe_stored`)
        that could not be found out.
        """
        if not events:
            raise ValueError("nothing to append")
        key = fresh_key = None
        if any(sealed_paths(type(e)) for e in events):
            key = await self._data_key(events[0].originator_id) if expected_version else None
            if key is None:
                key = fresh_key = new_key()
        records = [self.mapper.to_stored_event(e, key) for e in events]
        originator_id = records[0].originator_id
        assert isinstance(originator_id, UUID)
        for offset, record in enumerate(records, start=1):
            if record.originator_id != originator_id:
                raise ValueError("an append holds the events of one aggregate")
            if record.originator_version != expected_version + offset:
                raise ValueError(f"event versions must follow on from {expected_version} without gaps")
        pending = PendingAppend(originator_id, expected_version, records, idempotency_key, fresh_key, fingerprint)
        return await self._writer.submit(pending)

    async def _data_key(self, originator_id: UUID) -> bytes | None:
        """The aggregate's data key; None if it has none yet (stored before sealing began)."""
        row = await self.pool.fetchrow("SELECT key FROM data_keys WHERE subject_id = $1", originator_id)
        if row is None:
            return None
        if row["key"] is None:
            # The domain refuses changes to a redacted aggregate; this is the last line.
            raise ValueError(f"the data key of {originator_id} was destroyed; its text cannot be extended")
        return bytes(row["key"])

    async def events(self, originator_id: UUID, version: int | None = None) -> list[DomainEventProtocol[UUID]]:
        """The aggregate's events in order, up to `version` if given."""
        rows = await self.pool.fetch(
            "SELECT s.originator_version, s.topic, s.state, k.key FROM stored_events s"
            " LEFT JOIN data_keys k ON k.subject_id = s.originator_id"
            " WHERE s.originator_id = $1 AND ($2::bigint IS NULL OR s.originator_version <= $2)"
            " ORDER BY s.originator_version",
            originator_id,
            version,
        )
        return [
            self.mapper.to_domain_event(
                StoredEvent(originator_id, row["originator_version"], row["topic"], row["state"]),
                bytes(row["key"]) if row["key"] is not None else None,
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

    async def existing(self, originator_ids: list[UUID]) -> set[UUID]:
        """Which of `originator_ids` have been stored (as the first events of their aggregates)."""
        rows = await self.pool.fetch(
            "SELECT originator_id FROM stored_events WHERE originator_id = ANY($1::uuid[]) AND originator_version = 1",
            originator_ids,
        )
        return {UUID(bytes=row[0].bytes) for row in rows}

    async def head(self) -> int:
        """The position of the last stored event (0 when the log is empty)."""
        value = await self.pool.fetchval("SELECT coalesce(max(notification_id), 0) FROM stored_events")
        return int(value)
