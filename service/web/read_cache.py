"""Answers computed from the read models, kept while those have not moved, or for a moment when they have (web edge).

A page that many people read at once (Översikt, an area) is computed once and handed to each of
them, instead of once per reader: every key computes once at a time, and its answer stands

- while the read models it was computed from are where they were (the tracker's positions);
- once they have moved on, until `seconds` after its computation began. From halfway through
  that time its next reader starts the next answer and gets this one, as do those after it until
  the next is ready: while a page is read often, no reader but its first waits for it;
- but not for a reader who has been shown a later position (`seen`: a write of its own), who
  waits for an answer computed from read models that hold it.

So no page served from here began its computation more than `seconds` before its reader asked,
the same kind of lag as a read model's own behind the log, which such a page has anyway (pages
that must show a write, as after a form is sent, wait for its position and are not kept here).
With `seconds` 0 every move of the read models is waited for. The live update of Översikt starts
from the position its page was computed at, and loses nothing between.
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
        self._next: dict[Hashable, _Entry] = {}
        """The answers being computed to follow ones that are too old, by key."""

    async def get(
        self, key: Hashable, projections: tuple[str, ...], compute: Callable[[], Awaitable[T]], seen: int = 0
    ) -> T:
        """The answer for `key` from `projections`: kept (see the module), or `compute()`d now.

        `seen`: a position the reader has been shown (a write of its own): an answer computed from read
        models short of it is not handed to this reader, who waits for one that is not (the read models
        must have reached it: the caller waits for that first). Its exceptions are raised to every
        reader waiting for it, and not kept.
        """
        positions = tuple(self._tracker.positions.get(name, 0) for name in projections)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = self._begin(key, positions, now, compute)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        elif entry.positions != positions:
            behind = min(entry.positions) < seen  # the reader has been shown more than this answer holds
            if behind or now - entry.began >= self._seconds / 2:
                following = self._next.get(key)
                if following is None or min(following.positions) < seen:
                    following = self._next[key] = self._begin(key, positions, now, compute)
                if behind or now - entry.began >= self._seconds:
                    entry = following  # too old to hand out (to this reader): wait for the next
        self._entries.move_to_end(key)
        # Shielded: one reader leaving does not cancel the answer the others wait for.
        answer: T = await asyncio.shield(entry.answer)
        return answer

    def _begin(
        self, key: Hashable, positions: tuple[int, ...], now: float, compute: Callable[[], Awaitable[T]]
    ) -> _Entry:
        entry = _Entry(positions, now, asyncio.ensure_future(compute()))
        entry.answer.add_done_callback(functools.partial(self._done, key, entry))
        return entry

    def _done(self, key: Hashable, entry: _Entry, task: asyncio.Task[Any]) -> None:
        """A next answer takes its key's place; a failed (or cancelled) one is dropped, and so is what it followed."""
        if self._next.get(key) is entry:
            del self._next[key]
            self._entries[key] = entry  # failed too: the next reader then waits for a computation of its own
        if (task.cancelled() or task.exception() is not None) and self._entries.get(key) is entry:
            del self._entries[key]
