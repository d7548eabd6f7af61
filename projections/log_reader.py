"""Batches of the event log, fetched and decoded once for every projection runner of a process.

Decoding (the JSON, the sealed free text) is most of what a catch-up costs in Python. The
picture and the audit trail follow the same log, and while catching up they ask for the same
batches: the second to ask gets the first's. Only complete batches are shared (`limit` rows):
the log is append-only and committed in order, so a complete batch is the same whenever it is
read, while a short one (the head of the log) may have grown since and is read again.
A runner also asks for its next batch before it applies the current one (read-ahead): on a
connection of the reader's own, PostgreSQL fetches it while the runner applies.
A runner ahead of another on the same batches waits before it reads one more than `keep` would
hold: read, it would push out a batch the other has yet to take, which the other would then read
and decode again, fall further behind, and lose the next one too (seen: over half a million of
a million events decoded twice in a catch-up of both, 55-59 against 41 µs of CPU per event). Runners on
batches of their own (they started from different positions) never wait for each other, and no
runner waits longer than `OTHERS_SECONDS` for one that has stopped moving.
Following the head of a busy log, the runners read short batches, a few times a second each: a
short batch read less than `HEAD_SECONDS` ago serves every runner whose position lies in it (the
part after its position), so each event is decoded once there too. A runner given such a batch
knows when it was read (`Batch.started`) and reads again if it has heard of an append since.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import TopicError

from domain.codec import SealingMapper
from projections.connections import CONNECTION_ERRORS, DEFAULT_LIMITS, Limits
from projections.generations import Recorded
from projections.log_batches import Batch, Follower, Undecodable

log = logging.getLogger(__name__)
_BATCH_SQL = (
    "SELECT s.notification_id, s.recorded_at, s.originator_id, s.originator_version, s.topic, s.state, k.key"
    " FROM stored_events s LEFT JOIN data_keys k ON k.subject_id = s.originator_id"
    " WHERE s.notification_id > $1 ORDER BY s.notification_id LIMIT $2"
)
DECODE_SLICE = 200
"""Events decoded between two turns of the event loop (a few ms: see bench/RESULTS.md)."""
KEEP = 3
"""Complete batches kept at most for runners that have not taken them yet (a runner far behind reads its own)."""
OTHERS_SECONDS = 2.0
"""How long a runner ahead waits at most, per batch, for another to take what it would push out."""
HEAD_SECONDS = 0.05
"""How old a short batch (the log's head) may be and still serve another runner: its live lag grows by at most this."""


@dataclass
class _Shared:
    """A batch being read or read, and how many runners have taken it."""

    task: asyncio.Task[Batch]
    taken: int = 0


class LogReader:
    """Reads the log in batches for the runners of one process; decodes each batch once."""

    def __init__(
        self,
        dsn: str,
        mapper: SealingMapper,
        limits: Limits = DEFAULT_LIMITS,
        keep: int = KEEP,
        head_seconds: float = HEAD_SECONDS,
    ) -> None:
        self.dsn, self.mapper, self.limits, self.keep = dsn, mapper, limits, keep
        self.head_seconds = head_seconds
        self._batches: OrderedDict[tuple[int, int], _Shared] = OrderedDict()
        self._followers: list[Follower] = []
        self._moved = asyncio.Event()  # set (and replaced) whenever a follower or a batch moves on
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._skipped_topics: set[str] = set()
        self._head: Batch | None = None  # the latest short batch read

    @contextlib.contextmanager
    def following(self) -> Iterator[Follower]:
        """For as long as a runner follows the log with this reader: a batch is kept until each has it."""
        me = Follower()
        self._followers.append(me)
        try:
            yield me
        finally:
            self._followers.remove(me)
            self._move()

    async def read(self, after: int, limit: int, by: Follower | None = None) -> Batch:
        """Up to `limit` events after position `after`, decoded (text whose key was destroyed reads REDACTED).

        `by`: the runner asking (from `following`); a runner ahead of others may wait for them first.
        """
        batch = await self._shared_read(after, limit, by)
        if by is not None and batch.last > by.next:  # (a short batch too: a runner at the head is no one to wait for)
            by.next = batch.last
            self._move()
        return batch

    async def _shared_read(self, after: int, limit: int, by: Follower | None) -> Batch:
        key = (after, limit)
        shared = self._batches.get(key)
        if shared is not None:
            with contextlib.suppress(Exception):  # the other's read failed: read it again, here
                batch = await asyncio.shield(shared.task)
                if batch.rows == limit:
                    self._take(key, shared)
                    return batch
                if by is not None:  # the head, just read for another runner
                    return batch
        head = self._head
        if (
            by is not None
            and head is not None
            and head.after <= after < head.last
            and head.rows < limit
            and asyncio.get_running_loop().time() - head.started <= self.head_seconds
        ):
            return head.since(after)
        if by is not None:
            await self._let_others_take(by)
            if key in self._batches:  # asked for meanwhile by another runner
                return await self._shared_read(after, limit, None)
        shared = _Shared(asyncio.create_task(self._read(after, limit)))
        self._batches[key] = shared
        while len(self._batches) > self.keep:
            self._batches.popitem(last=False)  # a runner awaiting it still gets it
        # shielded: a runner cancelled while reading must not cancel another's read of the same batch
        batch = await asyncio.shield(shared.task)
        if batch.rows == limit:
            self._take(key, shared)
        else:
            if self._batches.get(key) is shared:
                del self._batches[key]  # the head of the log: a while for others (_head), then read again
            if batch.rows and (self._head is None or batch.started >= self._head.started):
                self._head = batch
        return batch

    def _take(self, key: tuple[int, int], shared: _Shared) -> None:
        shared.taken += 1
        if shared.taken >= len(self._followers) and self._batches.get(key) is shared:
            del self._batches[key]  # every runner has it: memory stays at what they hold
            self._move()

    def _move(self) -> None:
        self._moved.set()
        self._moved = asyncio.Event()

    async def _let_others_take(self, me: Follower) -> None:
        """Wait (a while at most) until one more batch would not push out one another runner will ask for."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(OTHERS_SECONDS):
                while len(self._batches) >= self.keep and self._needed_by_others(me):
                    await self._moved.wait()

    def _needed_by_others(self, me: Follower) -> bool:
        """Whether the oldest batch kept lies ahead of another runner on its own way through the batches."""
        oldest = next(iter(self._batches))
        return any(self._reaches(other.next, oldest) for other in self._followers if other is not me)

    def _reaches(self, after: int, target: tuple[int, int]) -> bool:
        key = (after, target[1])
        while key != target:
            shared = self._batches.get(key)
            if shared is None or not shared.task.done() or shared.task.cancelled() or shared.task.exception():
                return False
            batch = shared.task.result()
            if batch.rows < key[1]:
                return False
            key = (batch.last, key[1])
        return True

    async def close(self) -> None:
        """Stop reading ahead and close the reader's connections."""
        tasks = [shared.task for shared in self._batches.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._batches.clear()
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                async with asyncio.timeout(self.limits.connect_seconds):
                    await pool.close()
            except CONNECTION_ERRORS:  # TimeoutError, the timeout above, is one of them
                pool.terminate()  # the database is away: nothing to close gracefully

    async def _connections(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:  # made on first use; it connects when it needs to (min_size=0)
                self._pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=0,
                    max_size=4,  # a read at a time per runner (its next batch), and room for more runners
                    timeout=self.limits.connect_seconds,
                    command_timeout=self.limits.command_seconds,
                )
            return self._pool

    async def _read(self, after: int, limit: int) -> Batch:
        pool = await self._connections()
        async with pool.acquire(timeout=self.limits.connect_seconds) as conn:
            started = asyncio.get_running_loop().time()  # (the query's snapshot is taken after this)
            rows = await conn.fetch(_BATCH_SQL, after, limit)
        return Batch(await self._decode(rows), int(rows[-1][0]) if rows else after, len(rows), started, after)

    async def _decode(self, rows: list[asyncpg.Record]) -> list[Recorded]:
        batch = []
        for n, r in enumerate(rows):
            if n and n % DECODE_SLICE == 0:
                # Let the loop go on between slices: the runner's statements come back while the
                # next batch is decoded (the two overlap), and requests are not held up for long.
                await asyncio.sleep(0)
            try:
                key = bytes(r[6]) if r[6] is not None else None  # None: destroyed, the text reads REDACTED
                event: object = self.mapper.to_domain_event(StoredEvent(r[2], r[3], r[4], bytes(r[5])), key)
            except TopicError:
                if r[4] not in self._skipped_topics:
                    self._skipped_topics.add(r[4])
                    log.info("projections skip events of unknown type %s", r[4])
                continue
            except Exception as error:  # the runner stops at it and names it
                event = Undecodable(error)
            batch.append(Recorded(r[0], r[1], r[2], r[3], r[4], event))
        return batch
