"""The event store: async appends with group commit, and loads, on PostgreSQL via asyncpg.

Every append goes through one writer task per store. It takes all appends waiting at that
moment and writes them with one call of the `lagesbild_append` SQL function (migration 0001):
one statement, one transaction, one round trip, one fsync for the whole group. Each append
in a group is checked and stored on its own terms (all of its events or none), so a
conflict in one does not affect the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

import asyncpg
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, Notification, StoredEvent

log = logging.getLogger(__name__)

APPEND_SQL = "SELECT append_no, outcome, originator_id, version, position FROM lagesbild_append($1, $2, $3, $4, $5, $6, $7)"  # noqa: E501
NOTIFY_CHANNEL = "stored_events"
MAX_GROUP = 1000  # appends per transaction; bounds statement size and lock hold time


class EventStoreError(Exception):
    """Base class of the store's errors."""


class ConcurrencyConflict(EventStoreError):
    """The aggregate was not at the expected version; nothing of the append was stored."""

    def __init__(self, originator_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"{originator_id} is at version {actual}, expected {expected}")
        self.originator_id, self.expected, self.actual = originator_id, expected, actual


class AggregateNotFound(EventStoreError, LookupError):
    """No events are stored for this aggregate (at or below the asked version)."""

    def __init__(self, originator_id: UUID) -> None:
        super().__init__(f"no aggregate {originator_id}")
        self.originator_id = originator_id


class StoreUnavailable(EventStoreError):
    """The database could not be reached; the append may or may not have been stored."""


@dataclass(frozen=True)
class AppendResult:
    """What an append wrote (or, for an idempotent retry, what the first attempt wrote)."""

    originator_id: UUID
    version: int
    position: int
    replayed: bool = False


@dataclass
class PendingAppend:
    """One append waiting for the writer: an aggregate, its expected version, its records."""

    originator_id: UUID
    expected_version: int
    records: list[StoredEvent]
    idempotency_key: str | None = None
    future: asyncio.Future[AppendResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def group_arguments(group: Sequence[PendingAppend]) -> tuple[list[Any], ...]:
    """The seven array arguments of `lagesbild_append` for a group of appends."""
    append_nos, versions, topics, states = [], [], [], []
    for n, append in enumerate(group, start=1):
        for record in append.records:
            append_nos.append(n)
            versions.append(record.originator_version)
            topics.append(record.topic)
            states.append(record.state)
    return (
        [a.originator_id for a in group],
        [a.expected_version for a in group],
        [a.idempotency_key for a in group],
        append_nos,
        versions,
        topics,
        states,
    )


class EventStore:
    """Appends and loads event-sourced aggregates; `open()` before use, `close()` after."""

    def __init__(self, dsn: str, pool: asyncpg.Pool, mapper: Mapper[UUID]) -> None:
        self._dsn, self._pool, self.mapper = dsn, pool, mapper
        self._queue: asyncio.Queue[PendingAppend] = asyncio.Queue()
        self._waiting: deque[PendingAppend] = deque()
        self._conn: asyncpg.Connection | None = None
        self._writer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Connect the writer and start its task."""
        self._conn = await asyncpg.connect(self._dsn)
        self._writer = asyncio.create_task(self._write_forever(), name="event-store-writer")

    async def close(self) -> None:
        """Stop the writer (appends still waiting fail with StoreUnavailable) and disconnect."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        for append in self._drain():
            if not append.future.done():
                append.future.set_exception(StoreUnavailable("the event store was closed"))
        if self._conn is not None:
            await self._conn.close()

    async def append(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        """Store `events` of one aggregate that was at `expected_version` (0: new).

        All events are stored together or none is. Raises ConcurrencyConflict if the
        aggregate is at another version. With an `idempotency_key` seen before, stores
        nothing and returns the first result (`replayed=True`).
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
        self._queue.put_nowait(pending)
        return await pending.future

    async def events(
        self, originator_id: UUID, version: int | None = None
    ) -> list[DomainEventProtocol[UUID]]:
        """The aggregate's events in order, up to `version` if given."""
        rows = await self._pool.fetch(
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
        rows = await self._pool.fetch(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM stored_events WHERE notification_id > $1 ORDER BY notification_id LIMIT $2",
            after,
            limit,
        )
        return [Notification(r[1], r[2], r[3], bytes(r[4]), r[0]) for r in rows]

    async def head(self) -> int:
        """The position of the last stored event (0 when the log is empty)."""
        value = await self._pool.fetchval("SELECT coalesce(max(notification_id), 0) FROM stored_events")
        return int(value)

    # -- the writer -----------------------------------------------------------------------

    def _drain(self) -> Iterable[PendingAppend]:
        while not self._queue.empty():
            self._waiting.append(self._queue.get_nowait())
        while self._waiting:
            yield self._waiting.popleft()

    async def _write_forever(self) -> None:
        while True:
            if not self._waiting:
                self._waiting.append(await self._queue.get())
            await self._write_group(self._next_group())

    def _next_group(self) -> list[PendingAppend]:
        """Take waiting appends in arrival order; one per aggregate and per key in a group."""
        while not self._queue.empty():
            self._waiting.append(self._queue.get_nowait())
        group: list[PendingAppend] = []
        later: deque[PendingAppend] = deque()
        ids: set[UUID] = set()
        keys: set[str] = set()
        for append in self._waiting:
            if append.future.done():  # the caller gave up before we wrote anything
                continue
            key = append.idempotency_key
            if len(group) >= MAX_GROUP or append.originator_id in ids or key in keys:
                later.append(append)
                continue
            group.append(append)
            ids.add(append.originator_id)
            if key is not None:
                keys.add(key)
        self._waiting = later
        return group

    async def _write_group(self, group: list[PendingAppend]) -> None:
        if not group:
            return
        try:
            if self._conn is None or self._conn.is_closed():
                self._conn = await asyncpg.connect(self._dsn)
            rows = await self._conn.fetch(APPEND_SQL, *group_arguments(group))
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as error:
            log.warning("event store unavailable: %s", error)
            for append in group:
                _fail(append, StoreUnavailable(f"the database could not be reached: {error}"))
            return
        except asyncpg.PostgresError as error:
            if len(group) == 1:
                _fail(group[0], error)
                return
            # A fault in one append (say a writer outside this store took a version first)
            # must not fail the others: write them one by one.
            for append in group:
                await self._write_group([append])
            return
        for row in rows:
            append = group[row["append_no"] - 1]
            if append.future.done():
                continue
            if row["outcome"] == "conflict":
                conflict = ConcurrencyConflict(append.originator_id, append.expected_version, row["version"])
                append.future.set_exception(conflict)
            else:
                result = AppendResult(
                    row["originator_id"], row["version"], row["position"],
                    replayed=row["outcome"] == "replayed",
                )  # fmt: skip
                append.future.set_result(result)


def _fail(append: PendingAppend, error: BaseException) -> None:
    if not append.future.done():
        append.future.set_exception(error)
