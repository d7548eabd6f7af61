"""The service's background tasks, supervised: a failure is logged and the task restarted with backoff.

Used by the app factory (service/app.py) and `lagesbild project` for every task that runs beside
the requests (the retention sweep, the read-log writer, the projection tracker and runners);
`/ready` and `/metrics` (service/web/health.py) show what `Supervisor.states` says.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0


@dataclass
class TaskState:
    """One supervised task: up (running, or ended of its own accord) or down (waiting to restart)."""

    name: str
    up: bool = True
    restarts: int = 0
    failure: str | None = None
    """The last failure, while the task is down (None once it runs again)."""


class Supervisor:
    """Runs named coroutines; one that raises is logged, marked down and restarted after a backoff.

    The backoff doubles with each failure in a row, from `first_backoff` to `max_backoff`, and
    starts again from the first once a run has lasted longer than `max_backoff`. A coroutine that
    returns has ended of its own accord (the read-log writer stopping) and is not restarted.
    """

    def __init__(self, first_backoff: float = FIRST_BACKOFF, max_backoff: float = MAX_BACKOFF) -> None:
        self.first_backoff, self.max_backoff = first_backoff, max_backoff
        self.states: dict[str, TaskState] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, run: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run `run()` in the background under `name`, again after each failure, until cancelled."""
        if name in self.states:
            raise ValueError(f"a task named {name!r} is supervised already")
        state = self.states[name] = TaskState(name)
        task = asyncio.create_task(self._supervise(state, run), name=name)
        self._tasks.append(task)
        return task

    @property
    def down(self) -> list[TaskState]:
        """The tasks waiting to be restarted after a failure."""
        return [s for s in self.states.values() if not s.up]

    async def close(self) -> None:
        """Cancel every task and wait for them."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)  # their CancelledErrors, as results

    async def _supervise(self, state: TaskState, run: Callable[[], Awaitable[None]]) -> None:
        backoff = self.first_backoff
        while True:
            started = time.monotonic()
            try:
                await run()
            except Exception as error:  # anything: the task must not end silently
                if time.monotonic() - started > self.max_backoff:
                    backoff = self.first_backoff  # it had been running well: a fresh fault
                state.up, state.failure = False, f"{type(error).__name__}: {error}"
                log.error("background task %s failed; restarting in %.0f s", state.name, backoff, exc_info=error)
                await asyncio.sleep(backoff)  # a backoff, not a wait for a condition
                backoff = min(self.max_backoff, backoff * 2)
                state.up, state.failure, state.restarts = True, None, state.restarts + 1
                continue
            log.info("background task %s ended", state.name)
            return
