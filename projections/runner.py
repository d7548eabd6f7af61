"""The projection runner: follows the event log in batches, one transaction per batch.

Each batch's read-model changes and the checkpoint commit together, so a crash never loses
or double-counts an event. One runner per projection generation writes at a time (a session
advisory lock). Caught up, it waits for NOTIFY on `stored_events`, with a poll as a safety net;
following a busy log, it lets each batch gather for `gather_seconds` (a transaction per group
commit cost several times more than the events in it).
Events of unknown types are skipped; an event that fails to apply stops the projection with
a clear log line and a recorded failure (which makes /ready unhealthy), never a silent skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import TopicError

from domain.codec import SealingMapper
from projections.generations import Projection, Recorded, ensure_active, lock_key, schema_of
from projections.unavailable import DEFAULT_LIMITS, UNAVAILABLE, Limits, connect

log = logging.getLogger(__name__)
PROGRESS_CHANNEL = "projection_progress"
_BATCH_SQL = (
    "SELECT s.notification_id, s.recorded_at, s.originator_id, s.originator_version, s.topic, s.state, k.key"
    " FROM stored_events s LEFT JOIN data_keys k ON k.subject_id = s.originator_id"
    " WHERE s.notification_id > $1 ORDER BY s.notification_id LIMIT $2"
)
BATCH_SIZE = 5000  # events a batch holds at most (a catch-up); measured: 15-20 % faster than 1000
# Events applied in full batches by one follow() after which the tables it fills are analyzed
# (see _analyze); after the last, a table is large enough for its plans to stay right as it grows.
_ANALYZE_AFTER = (10_000, 40_000, 160_000)
# The database away (shut down, crashed, disk full...) is never a poison event: reconnect and retry.
_CONNECTION_ERRORS = UNAVAILABLE
_NOT_POISON: tuple[type[BaseException], ...] = (*UNAVAILABLE, asyncio.CancelledError)
_CANNOT_CONNECT: tuple[type[Exception], ...] = (*UNAVAILABLE, asyncpg.PostgresError)


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
        gather_seconds: float = 0.03,
        on_batch: Callable[[int], None] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.dsn, self.projection, self.mapper, self.limits = dsn, projection, mapper, limits
        self.batch_size, self.poll_seconds, self.on_batch = batch_size, poll_seconds, on_batch
        self.gather_seconds = gather_seconds
        self._wake = asyncio.Event()
        self._skipped_topics: set[str] = set()

    async def run_forever(self) -> None:
        """Follow the active generation until cancelled; reconnect after the database went away."""
        while True:
            try:
                conn = await connect(self.dsn, self.limits)
            except _CANNOT_CONNECT as error:
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
            except _CONNECTION_ERRORS as error:
                _still_wanted()
                log.warning("projection %s lost its connection: %s", self.projection.name, error)
            except ProjectionFailed:
                await asyncio.sleep(self.poll_seconds)  # stays failed until rebuilt; keep /ready honest
            except asyncpg.PostgresError as error:
                log.warning("projection %s: %s; retrying", self.projection.name, error)
                await asyncio.sleep(self.poll_seconds)
            finally:
                with contextlib.suppress(*_CONNECTION_ERRORS):
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
        applied, analyze_after = 0, list(_ANALYZE_AFTER)
        await conn.add_listener("stored_events", self._notified)
        try:
            while True:
                self._wake.clear()
                fetched_at = asyncio.get_running_loop().time()
                rows = await conn.fetch(_BATCH_SQL, position, self.batch_size)
                if rows:
                    position, active = await self._apply(conn, generation, rows)
                    if not active and not stop_at_head:
                        return position  # a rebuild switched readers to another generation
                    if len(rows) == self.batch_size:  # catching up (following live, autovacuum is in time)
                        applied += len(rows)
                    if analyze_after and applied >= analyze_after[0]:
                        await self._analyze(conn, generation)
                        del analyze_after[0]
                    if len(rows) < self.batch_size and not stop_at_head:
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
            await conn.remove_listener("stored_events", self._notified)

    async def _analyze(self, conn: asyncpg.Connection, generation: int) -> None:
        """Show the planner the tables as they are now (which also re-plans the statements cached so far).

        A catch-up fills the tables from empty; a plan cached while one was tiny (a sequential
        scan) would otherwise stay in use once it is large (seen: a 35,000-row table scanned for
        every batch, a sixth of a catch-up's time). Autovacuum's ANALYZE comes too late for that.
        """
        schema = schema_of(self.projection.name, generation)
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
        if tables:
            await conn.execute("ANALYZE " + ", ".join(f'"{schema}"."{t[0]}"' for t in tables))

    def _notified(self, *_: object) -> None:
        self._wake.set()

    def _decode(self, rows: list[asyncpg.Record]) -> list[Recorded]:
        batch = []
        for r in rows:
            try:
                key = bytes(r[6]) if r[6] is not None else None  # None: destroyed, the text reads REDACTED
                event = self.mapper.to_domain_event(StoredEvent(r[2], r[3], r[4], bytes(r[5])), key)
            except TopicError:
                if r[4] not in self._skipped_topics:
                    self._skipped_topics.add(r[4])
                    log.info("projection %s skips events of unknown type %s", self.projection.name, r[4])
                continue
            batch.append(Recorded(r[0], r[1], r[2], r[3], r[4], event))
        return batch

    async def _apply(self, conn: asyncpg.Connection, generation: int, rows: list[asyncpg.Record]) -> tuple[int, bool]:
        last = int(rows[-1][0])
        active = True
        try:
            active = await self._commit(conn, generation, self._decode(rows), last)
        except _NOT_POISON:
            raise
        except Exception:
            # Find the event at fault: apply the batch one event at a time.
            for row in rows:
                try:
                    active = await self._commit(conn, generation, self._decode([row]), int(row[0]))
                except _NOT_POISON:
                    raise
                except Exception as error:
                    raise ProjectionFailed(await self._fail(conn, generation, row, error)) from error
        if self.on_batch:
            self.on_batch(last)
        return last, active

    async def _commit(self, conn: asyncpg.Connection, generation: int, batch: list[Recorded], last: int) -> bool:
        """Apply and checkpoint in one transaction; whether the generation is (still) the active one."""
        async with conn.transaction():
            if batch:
                await self.projection.apply(conn, f'"{schema_of(self.projection.name, generation)}"', batch)
            active = await conn.fetchval(
                "UPDATE projection_generations SET position = $3, updated_at = now()"
                " WHERE projection = $1 AND generation = $2 RETURNING active",
                self.projection.name,
                generation,
                last,
            )
            if active:  # readers wait on the active generation only (read your writes)
                progress = f"{self.projection.name}:{generation}:{last}"
                await conn.execute("SELECT pg_notify($1, $2)", PROGRESS_CHANNEL, progress)
        return bool(active)

    async def _fail(self, conn: asyncpg.Connection, generation: int, row: Any, error: Exception) -> str:
        failure = f"event at position {row[0]} ({row[4]} of {row[2]} version {row[3]}) could not be applied: {error!r}"
        log.error("projection %s stopped: %s", self.projection.name, failure)
        await conn.execute(
            "UPDATE projection_generations SET failure = $3, failed_at_position = $4, updated_at = now()"
            " WHERE projection = $1 AND generation = $2",
            self.projection.name,
            generation,
            failure,
            int(row[0]),
        )
        return failure
