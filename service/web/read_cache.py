"""Answers computed from the read models, kept while those have not moved, or for a moment when they have (web edge).

A page that many people read at once (Översikt, an area) is computed once and handed to each of
them, instead of once per reader: every key computes once at a time, and its answer stands

- while the read models it was computed from are where they were (the tracker's positions), and
- for `seconds` after its computation began even if they have moved on.

So a page served from here is at most `seconds` older than one computed for its reader: the same
kind of lag as a read model's own behind the log, which such a page has anyway (pages that must
show a write, as after a form is sent, wait for its position and are not kept here). The live
update of Översikt starts from the position its page was computed at, and loses nothing between.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
ENTRIES = 256
"""Answers kept at most, the least recently read dropped first (an area page is some tens of kilobytes)."""


class Positions(Protocol):
    """What the cache reads of the projection tracker (service/web/projection_progress.py)."""

    positions: dict[str, int]


@dataclass(slots=True)
class _Entry:
    positions: tuple[int, ...]
    """Where the read models were when the computation began: the answer holds at least that much."""
    began: float
    answer: asyncio.Task[Any]


class ReadCache:
    """Answers by key, versioned by the positions of the read models they are computed from."""

    def __init__(
        self,
        tracker: Positions,
        seconds: float,
        entries: int = ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tracker, self._seconds, self._size, self._clock = tracker, seconds, entries, clock
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()

    async def get(self, key: Hashable, projections: tuple[str, ...], compute: Callable[[], Awaitable[T]]) -> T:
        """The answer for `key` from `projections`: kept (see the module), or `compute()`d now.

        Its exceptions are raised to every reader waiting for it, and not kept.
        """
        positions = tuple(self._tracker.positions.get(name, 0) for name in projections)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is None or not (entry.positions == positions or now - entry.began < self._seconds):
            # Shielded below: one reader leaving does not cancel the answer the others wait for.
            entry = _Entry(positions, now, asyncio.ensure_future(compute()))
            self._entries[key] = entry
            entry.answer.add_done_callback(functools.partial(self._forget_failure, key))
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        answer: T = await asyncio.shield(entry.answer)
        return answer

    def _forget_failure(self, key: Hashable, task: asyncio.Task[Any]) -> None:
        """A failed (or cancelled) computation is dropped, so the next reader computes afresh."""
        if task.cancelled() or task.exception() is not None:
            entry = self._entries.get(key)
            if entry is not None and entry.answer is task:
                del self._entries[key]
