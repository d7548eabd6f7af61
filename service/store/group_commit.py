"""Group commit: many appends, one transaction, one round trip, one fsync.

An append that finds nothing else going on is written at once, in the caller's own task, by
one cheap statement. Appends that arrive while a write is in flight wait, and are then written
as one group by one call of the `lagesbild_append` SQL function (migration 0001).

Two connections write. The database's append lock (the ordering guarantee) is held until each
commit is flushed, so two groups never commit at once; but while one group commits, the next
can already be on its way and queued on the lock, so that the database never waits for this
process and this process prepares the next group while the database works. A second group
goes out only once it is as big as the one in flight, which keeps groups big and balanced
(two halves of the waiting appends) instead of a big one followed by stragglers.

If the connection breaks after a group was sent, its appends are in doubt: they are answered
only once service/store/in_doubt.py has found out whether they were stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from projections.connections import CONNECTION_ERRORS, DEFAULT_LIMITS, Limits
from service.store.appends import AppendResult as AppendResult
from service.store.appends import ConcurrencyConflict as ConcurrencyConflict
from service.store.appends import IdempotencyKeyReused
from service.store.appends import PendingAppend as PendingAppend
from service.store.appends import StoreUnavailable as StoreUnavailable
from service.store.in_doubt import Backend, WriterConnection, settle

log = logging.getLogger(__name__)

APPEND_SQL = (
    "SELECT append_no, outcome, originator_id, version, position"
    " FROM lagesbild_append($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)
# A lone append without an idempotency key, in one plain statement: about as cheap as a bare
# INSERT. The lock is granted before any position is drawn (the rows that draw them come out
# of the lock's CTE), so the ordering guarantee is the one of lagesbild_append. But the
# version check sees the statement's snapshot, taken before the lock was granted: when it
# fails, or a version turns out to be taken after all (unique violation), the append is
# written again through lagesbild_append, whose answer is exact.
APPEND_LONE_SQL = """
WITH append_lock AS (SELECT pg_advisory_xact_lock(7013200466512)),
inserted AS (
    INSERT INTO stored_events (originator_id, originator_version, topic, state)
    SELECT $1, e.version, e.topic, e.state
    FROM append_lock, unnest($3::bigint[], $4::text[], $5::bytea[])
        WITH ORDINALITY AS e(version, topic, state, i)
    WHERE $2 = coalesce(
        (SELECT max(originator_version) FROM stored_events WHERE originator_id = $1), 0)
    ORDER BY e.i
    RETURNING originator_version, notification_id
),
data_key AS (
    INSERT INTO data_keys (subject_id, key)
    SELECT $1, $6::bytea WHERE $6::bytea IS NOT NULL AND EXISTS (SELECT FROM inserted)
)
SELECT max(originator_version) AS version, max(notification_id) AS position,
    pg_notify('stored_events', '') IS NULL AS notified
FROM inserted HAVING count(*) > 0
"""
MAX_GROUP = 1000  # appends per transaction; bounds statement size and lock hold time


def group_arguments(group: Sequence[PendingAppend]) -> tuple[list[Any], ...]:
    """The nine array arguments of `lagesbild_append` (migration 0011) for a group of appends."""
    append_nos, versions, topics, states = [], [], [], []
    for n, append in enumerate(group, start=1):
        for record in append.records:
            append_nos.append(n)
            versions.append(record.originator_version)
            topics.append(record.topic)
            states.append(record.state)
    ids = [a.originator_id for a in group]
    expected = [a.expected_version for a in group]
    keys, fingerprints = [a.idempotency_key for a in group], [a.fingerprint for a in group]
    new_keys = [a.new_key for a in group]
    return ids, expected, keys, fingerprints, new_keys, append_nos, versions, topics, states


_InDoubt = tuple[Backend, list[PendingAppend]]  # appends sent on a connection that broke before the answer


class GroupCommitWriter:
    """Writes appends, grouping those that arrive while a write is in flight."""

    def __init__(self, dsn: str, lanes: int = 2, limits: Limits = DEFAULT_LIMITS, resolve_seconds: float = 5.0) -> None:
        self._dsn, self._limits, self._resolve_seconds = dsn, limits, resolve_seconds
        self._lanes = [WriterConnection(dsn, limits) for _ in range(lanes)]
        self._idle = list(self._lanes)
        self._in_flight: list[int] = []  # sizes of the groups being written
        self._waiting: deque[PendingAppend] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self.on_group: Callable[[Sequence[PendingAppend]], None] | None = None
        """Told of each group as it is written (the service's metrics count group and append sizes)."""

    async def open(self) -> None:
        """Connect now, so that a bad DSN shows at start-up and not at the first append."""
        for lane in self._lanes:
            await lane.get()

    async def close(self) -> None:
        """Let the writes in flight finish, fail what still waits, disconnect."""
        for append in self._waiting:
            _fail(append, StoreUnavailable("the event store was closed; nothing was stored"))
        self._waiting.clear()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for lane in self._lanes:
            await lane.close()

    async def submit(self, append: PendingAppend) -> AppendResult:
        """Write `append` (alone or in a group) and return what was stored."""
        if self._in_flight or self._waiting:
            self._waiting.append(append)
            self._dispatch()
        else:  # nothing else going on: write in this task, no task switch
            await self._write(self._take_lane(1), [append])
        return await append.future

    def _take_lane(self, size: int) -> WriterConnection:
        # A group counts as in flight from the moment it has its lane, not only once its task
        # starts: an append arriving in between must wait, not find no write going on and no lane.
        self._in_flight.append(size)
        return self._idle.pop()

    def _dispatch(self) -> None:
        while self._idle and self._waiting:
            # A second group goes out (to wait on the append lock while the first commits)
            # only once it is as big as the one in flight: groups stay big and balanced.
            if self._in_flight and len(self._waiting) < max(self._in_flight):
                return
            group = self._next_group()
            if not group:
                return
            task = asyncio.create_task(self._write(self._take_lane(len(group)), group))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _next_group(self) -> list[PendingAppend]:
        """Waiting appends in arrival order, at most one per aggregate and per key."""
        group: list[PendingAppend] = []
        later: deque[PendingAppend] = deque()
        ids: set[UUID] = set()
        keys: set[str] = set()
        for append in self._waiting:
            if append.future.done():  # the caller gave up before anything was written
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

    async def _write(self, lane: WriterConnection, group: list[PendingAppend]) -> None:
        if self.on_group is not None:
            self.on_group(group)
        try:
            in_doubt = await self._write_group(lane, group)
        except Exception as error:  # a fault of ours: the callers get it, rather than wait for ever
            for append in group:
                _fail(append, error)
            raise
        finally:
            self._in_flight.remove(len(group))
            self._idle.append(lane)
            self._dispatch()
        for backend, appends in in_doubt:  # the lane is free again: the next appends need not wait
            await settle(self._dsn, self._limits, self._resolve_seconds, backend, appends)

    async def _write_lone(self, conn: asyncpg.Connection, append: PendingAppend) -> bool:
        """Write one append by the cheap statement; False if lagesbild_append must decide."""
        records = append.records
        try:
            row = await conn.fetchrow(
                APPEND_LONE_SQL,
                append.originator_id,
                append.expected_version,
                [r.originator_version for r in records],
                [r.topic for r in records],
                [r.state for r in records],
                append.new_key,
            )
        except asyncpg.UniqueViolationError:
            return False
        if row is None:
            return False
        if not append.future.done():
            append.future.set_result(AppendResult(append.originator_id, row["version"], row["position"]))
        return True

    async def _write_group(self, lane: WriterConnection, group: list[PendingAppend]) -> list[_InDoubt]:
        """Write `group`; return the appends left in doubt (to be settled)."""
        try:
            conn = await lane.get()
        except CONNECTION_ERRORS as error:  # nothing was sent
            log.warning("event store unavailable: %s", error)
            for append in group:
                _fail(append, StoreUnavailable("the database cannot be reached; nothing was stored"))
            return []
        try:
            lone = len(group) == 1 and group[0].idempotency_key is None
            if lone and await self._write_lone(conn, group[0]):
                return []
            rows = await conn.fetch(APPEND_SQL, *group_arguments(group))
        except CONNECTION_ERRORS as error:  # sent: it may have committed with only the answer lost
            log.warning("event store connection lost with %d appends in doubt: %s", len(group), error)
            return [(lane.lost(), group)]
        except asyncpg.PostgresError as error:
            if len(group) == 1:
                _fail(group[0], error)
                return []
            # A fault in one append (say a writer outside this store took a version first)
            # must not fail the others: write them one by one.
            in_doubt = []
            for append in group:
                in_doubt += await self._write_group(lane, [append])
            return in_doubt
        for row in rows:
            append = group[row["append_no"] - 1]
            if row["outcome"] == "conflict":
                conflict = ConcurrencyConflict(append.originator_id, append.expected_version, row["version"])
                _fail(append, conflict)
            elif row["outcome"] == "mismatch":
                _fail(append, IdempotencyKeyReused(row["originator_id"]))
            elif not append.future.done():
                replayed = row["outcome"] == "replayed"
                result = AppendResult(row["originator_id"], row["version"], row["position"], replayed)
                append.future.set_result(result)
        return []


def _fail(append: PendingAppend, error: BaseException) -> None:
    if not append.future.done():
        append.future.set_exception(error)
