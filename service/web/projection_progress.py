"""What the API knows of the projections: positions (via NOTIFY), waiting for one, lag and failures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from litestar.exceptions import HTTPException

from domain.errors import Invalid
from projections.connections import CONNECTION_ERRORS, DATABASE_ERRORS, DEFAULT_LIMITS, Limits, connect
from projections.registry import PROJECTIONS
from projections.runner import PROGRESS_CHANNEL
from service.supervision import Supervisor

log = logging.getLogger(__name__)
READ_WAIT_SECONDS = 2.0
END = ("", -1)
"""What a subscription's queue gets last: the service is stopping."""


class ProjectionTracker:
    """Follows `projection_progress` notifications, so reads can wait for a position (read your writes)."""

    def __init__(self, dsn: str, pool: asyncpg.Pool, limits: Limits = DEFAULT_LIMITS) -> None:
        self._dsn, self._pool, self._limits = dsn, pool, limits
        self.positions: dict[str, int] = dict.fromkeys(PROJECTIONS, 0)
        self._moved = asyncio.Event()  # set, and replaced, whenever a position moves
        self._subscribers: set[asyncio.Queue[tuple[str, int]]] = set()
        self._task: asyncio.Task[None] | None = None
        self.ending = False  # the service is stopping: subscriptions end (see end_streams)

    async def start(self, supervisor: Supervisor | None = None) -> None:
        """Listen for progress in the background (reconnecting as needed; supervised, if given a supervisor)."""
        if supervisor is None:
            self._task = asyncio.create_task(self._listen_forever(), name="projection-tracker")
        else:
            self._task = supervisor.start("projection-tracker", self._listen_forever)

    async def close(self) -> None:
        """Stop listening."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_for(self, projection: str, position: int, within: float) -> bool:
        """True once `projection` has reached `position`; False if it did not `within` seconds."""
        if self.positions.get(projection, 0) >= position:
            return True
        await self._refresh()  # a notification may have been missed while reconnecting
        try:
            async with asyncio.timeout(within):
                while self.positions.get(projection, 0) < position:
                    await self._moved.wait()
        except TimeoutError:
            return False
        return True

    async def head(self) -> int:
        """The position of the last event in the log."""
        return int(await self._pool.fetchval("SELECT coalesce(max(notification_id), 0) FROM stored_events"))

    def end_streams(self) -> None:
        """The service stops: every subscriber's queue gets `END` next, and so does every new one."""
        self.ending = True
        for queue in list(self._subscribers):
            _put_end(queue)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[tuple[str, int]]]:
        """A queue of (projection, position) for every batch a projection commits; `END` once the service stops."""
        queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue(maxsize=1000)
        if self.ending:
            _put_end(queue)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def status(self) -> list[dict[str, Any]]:
        """Each projection's active generation: position, lag behind the head (events, seconds), failure."""
        rows = await self._pool.fetch(
            "SELECT g.projection, g.generation, g.position, g.failure,"
            " (SELECT coalesce(max(notification_id), 0) FROM stored_events) AS head,"
            " (SELECT extract(epoch FROM now() - min(recorded_at)) FROM stored_events s"
            "   WHERE s.notification_id = (SELECT min(notification_id) FROM stored_events"
            "   WHERE notification_id > g.position)) AS lag_seconds"
            " FROM projection_generations g WHERE g.active ORDER BY g.projection"
        )
        return [
            {
                "projection": r["projection"],
                "generation": r["generation"],
                "position": r["position"],
                "lag_events": max(0, r["head"] - r["position"]),
                "lag_seconds": float(r["lag_seconds"] or 0.0),
                "failure": r["failure"],
            }
            for r in rows
        ]

    async def _refresh(self) -> None:
        with contextlib.suppress(*DATABASE_ERRORS):
            rows = await self._pool.fetch("SELECT projection, position FROM projection_generations WHERE active")
            self._advance({r["projection"]: int(r["position"]) for r in rows})

    def _advance(self, positions: dict[str, int]) -> None:
        moved = {p: n for p, n in positions.items() if n > self.positions.get(p, 0)}
        if not moved:
            return
        self.positions.update(moved)
        self._moved.set()
        self._moved = asyncio.Event()
        for item in moved.items():
            for queue in list(self._subscribers):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(item)

    async def _listen_forever(self) -> None:
        def notified(_conn: object, _pid: int, _channel: str, payload: object) -> None:
            name, _generation, position = str(payload).rsplit(":", 2)
            self._advance({name: int(position)})

        while True:
            try:
                conn = await connect(self._dsn, self._limits)
            except DATABASE_ERRORS as error:
                log.warning("projection tracker cannot connect: %s", error)
                await asyncio.sleep(1.0)  # back off before reconnecting
                continue
            try:
                closed = asyncio.Event()  # listen for the end first: it may come at any moment
                conn.add_termination_listener(lambda _c, closed=closed: closed.set())
                await conn.add_listener(PROGRESS_CHANNEL, notified)
                await self._refresh()
                if not conn.is_closed():
                    await closed.wait()
            except DATABASE_ERRORS as error:  # whatever the database says, a tracker that gives up stays behind
                log.warning("projection tracker lost its connection: %s", error)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(*CONNECTION_ERRORS):
                    await conn.close(timeout=self._limits.connect_seconds)


def _put_end(queue: asyncio.Queue[tuple[str, int]]) -> None:
    """`END` into `queue`, ahead of nothing it holds (the stream ends; its client reads the rest after reconnecting)."""
    while True:
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
        if queue.empty():
            queue.put_nowait(END)
            return


class NotReachedYet(HTTPException):
    """A read model has not reached the position a read asked for in time: 503 with Retry-After."""

    status_code = 503


async def read_your_writes(tracker: ProjectionTracker, projection: str, min_position: int | None) -> None:
    """Wait (up to 2 s) until `projection` has reached `min_position`; else 503 with Retry-After.

    A position no write has reached yet is 422: waiting for it would be waiting for nothing.
    """
    if min_position is None or tracker.positions.get(projection, 0) >= min_position:
        return
    if min_position > await tracker.head():
        raise Invalid("min_position", "no event has been written at this position yet; use one a write returned")
    if await tracker.wait_for(projection, min_position, within=READ_WAIT_SECONDS):
        return
    raise NotReachedYet(
        detail=f"the {projection} read model has not reached position {min_position} yet; retry shortly",
        headers={"Retry-After": "1"},
    )
