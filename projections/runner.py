"""The projection runner: follows the event log in batches, one transaction per batch.

Each batch's read-model changes and the checkpoint commit together (projections/checkpoint.py),
so a crash never loses or double-counts an event. One runner per projection generation writes at a time (a session
advisory lock). Caught up, it waits for NOTIFY on `stored_events`, with a poll as a safety net;
following a busy log, it lets each batch gather for `gather_seconds` (a transaction per group
commit cost several times more than the events in it). It reads the log through a LogReader,
which runners of one process share (a batch is decoded once) and which reads ahead; while it
catches up, the garbage collector's young generation holds a batch (projections/collector.py).
Events of unknown types are skipped; an event that fails to apply stops the projection with
a clear log line and a recorded failure (which makes /ready unhealthy), never a silent skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

import asyncpg

from domain.codec import SealingMapper
from projections.checkpoint import PROGRESS_CHANNEL as PROGRESS_CHANNEL  # (the service listens on it)
from projections.checkpoint import analyze, commit, record_failure
from projections.collector import CatchUpCollection
from projections.connections import CONNECTION_ERRORS, DATABASE_ERRORS, DEFAULT_LIMITS, Limits, connect
from projections.generations import Projection, ensure_active, lock_key
from projections.log_batches import Batch, Follower
from projections.log_reader import LogReader

log = logging.getLogger(__name__)
BATCH_SIZE = 5000  # events a batch holds at most (a catch-up); bench/RESULTS.md says why not 1000
GATHER_SECONDS = 0.06
"""Following a busy log, how long the next batch gathers: less CPU per report against a little more
live lag (the trade, measured, is in bench/RESULTS.md)."""
# Events applied in full batches by one follow() after which the tables it fills are analyzed
# (see checkpoint.analyze); after the last, a table is large enough for its plans to stay right as it grows.
_ANALYZE_AFTER = (10_000, 40_000, 160_000)
# The database away (shut down, crashed, disk full...) is never a poison event: reconnect and retry.
_NOT_POISON: tuple[type[BaseException], ...] = (*CONNECTION_ERRORS, asyncio.CancelledError)


def _still_wanted() -> None:
    """Re-raise a cancellation that a failing rollback replaced with a connection error."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class ProjectionFailed(Exception):
    """An event could not be applied; the projection stopped at it."""


class ProjectionRunner:
    """Keeps one projection's active generation up to date (or one given generation, for a rebuild)."""

    def __init__(
        self,
        dsn: str,
        projection: Projection,
        mapper: SealingMapper,
        *,
        batch_size: int = BATCH_SIZE,
        poll_seconds: float = 1.0,
        gather_seconds: float = GATHER_SECONDS,
        on_batch: Callable[[int], None] | None = None,
        limits: Limits = DEFAULT_LIMITS,
        reader: LogReader | None = None,
    ) -> None:
        self.dsn, self.projection, self.mapper, self.limits = dsn, projection, mapper, limits
        self.batch_size, self.poll_seconds, self.on_batch = batch_size, poll_seconds, on_batch
        self.gather_seconds = gather_seconds
        self.reader = reader
        self._wake = asyncio.Event()
        self._notified_at = float("-inf")  # the event loop's time of the latest append heard of

    async def run_forever(self) -> None:
        """Follow the active generation until cancelled; reconnect after the database went away."""
        while True:
            try:
                conn = await connect(self.dsn, self.limits)
            except DATABASE_ERRORS as error:
                log.warning("projection %s cannot connect: %s", self.projection.name, error)
                await asyncio.sleep(self.poll_seconds)  # back off before reconnecting
                continue
            try:
                generation = await ensure_active(conn, self.projection)
                if not await conn.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", lock_key(self.projection.name), generation
                ):
                    await asyncio.sleep(self.poll_seconds)  # another runner has it; try again later
                    continue
                await self.follow(conn, generation, stop_at_head=False)
            except CONNECTION_ERRORS as error:
                _still_wanted()
                log.warning("projection %s lost its connection: %s", self.projection.name, error)
            except ProjectionFailed:
                await asyncio.sleep(self.poll_seconds)  # stays failed until rebuilt; keep /ready honest
            except asyncpg.PostgresError as error:
                _still_wanted()  # a cancellation (SIGTERM) can surface as the aborted transaction's error
                log.warning("projection %s: %s; retrying", self.projection.name, error)
                await asyncio.sleep(self.poll_seconds)
            finally:
                with contextlib.suppress(*CONNECTION_ERRORS):
                    await conn.close(timeout=self.limits.connect_seconds)

    async def follow(self, conn: asyncpg.Connection, generation: int, *, stop_at_head: bool) -> int:
        """Apply batches to `generation` (holding its lock); return its position when done.

        Stops at the head of the log if `stop_at_head` (a rebuild), else when the generation
        stops being the active one (a rebuild switched away from it).
        """
        row = await conn.fetchrow(
            "SELECT position, failure, active FROM projection_generations WHERE projection = $1 AND generation = $2",
            self.projection.name,
            generation,
        )
        if row is None:
            raise ValueError(f"{self.projection.name} has no generation {generation}")
        if row["failure"]:
            raise ProjectionFailed(row["failure"])
        position = int(row["position"])
        await conn.add_listener("stored_events", self._notified)
        try:
            async with self._log() as (reader, me):
                return await self._follow(conn, generation, reader, me, position, stop_at_head=stop_at_head)
        finally:
            await conn.remove_listener("stored_events", self._notified)

    async def _follow(
        self,
        conn: asyncpg.Connection,
        generation: int,
        reader: LogReader,
        me: Follower,
        position: int,
        *,
        stop_at_head: bool,
    ) -> int:
        applied, analyze_after = 0, list(_ANALYZE_AFTER)
        ahead: asyncio.Task[Batch] | None = None
        collection = CatchUpCollection()
        try:
            while True:
                fetched_at = asyncio.get_running_loop().time()
                batch = await (ahead or reader.read(position, self.batch_size, me))
                ahead = None
                if self._notified_at < batch.started:  # else an append heard of may be missing: read again
                    self._wake.clear()
                collection.catching_up(batch.rows == self.batch_size)
                if batch.rows:
                    if batch.rows == self.batch_size:  # catching up: PostgreSQL reads the next while this applies
                        ahead = asyncio.create_task(reader.read(batch.last, self.batch_size, me))
                    position, active = await self._apply(conn, generation, batch)
                    if not active and not stop_at_head:
                        return position  # a rebuild switched readers to another generation
                    if batch.rows == self.batch_size:  # catching up (following live, autovacuum is in time)
                        applied += batch.rows
                    if analyze_after and applied >= analyze_after[0]:
                        await analyze(conn, self.projection.name, generation)
                        del analyze_after[0]
                    if batch.rows < self.batch_size and not stop_at_head:
                        # Following a busy log, a transaction per handful of events would cost more
                        # round trips than the events themselves: let the next batch gather a moment.
                        await asyncio.sleep(fetched_at + self.gather_seconds - asyncio.get_running_loop().time())
                    continue
                if stop_at_head:
                    return position
                # asyncio.timeout, not wait_for: on Python 3.11, wait_for loses a cancellation that arrives
                # as the event is set, and the runner would then never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await self._wake.wait()
                still_active = await conn.fetchval(
                    "SELECT active FROM projection_generations WHERE projection = $1 AND generation = $2",
                    self.projection.name,
                    generation,
                )
                if not still_active:
                    return position
        finally:
            collection.catching_up(False)
            if ahead is not None:  # read ahead, not to be applied here now
                ahead.cancel()
                await asyncio.gather(ahead, return_exceptions=True)

    @contextlib.asynccontextmanager
    async def _log(self) -> AsyncIterator[tuple[LogReader, Follower]]:
        """The reader this runner shares with others, or one of its own for as long as it follows."""
        if self.reader is not None:
            with self.reader.following() as me:
                yield self.reader, me
            return
        reader = LogReader(self.dsn, self.mapper, self.limits)
        try:
            with reader.following() as me:
                yield reader, me
        finally:
            await reader.close()

    def _notified(self, *_: object) -> None:
        self._notified_at = asyncio.get_running_loop().time()
        self._wake.set()

    async def _apply(self, conn: asyncpg.Connection, generation: int, batch: Batch) -> tuple[int, bool]:
        last = batch.last
        active = True
        try:
            active = await commit(
                conn, self.projection, generation, batch.events, last, durable=batch.rows < self.batch_size
            )
        except _NOT_POISON:
            raise
        except Exception as batch_error:
            _still_wanted()  # cancelled (a stop), not a poison event: nothing to look for
            # Find the event at fault: apply the batch one event at a time.
            for recorded in batch.events:
                try:
                    active = await commit(conn, self.projection, generation, [recorded], recorded.position)
                except _NOT_POISON:
                    raise
                except Exception as error:
                    _still_wanted()
                    failure = await record_failure(conn, self.projection.name, generation, recorded, error)
                    raise ProjectionFailed(failure) from error
            # (events of unknown types after the last one applied: the checkpoint passes them too)
            active = await commit(conn, self.projection, generation, [], last)
            # Each event applied alone: the projection's way of applying many at once is at fault.
            log.warning(
                "projection %s could not apply events %d-%d together (%r), but one at a time",
                self.projection.name, batch.events[0].position if batch.events else last, last, batch_error,
            )  # fmt: skip
        if self.on_batch:
            self.on_batch(last)
        return last, active
