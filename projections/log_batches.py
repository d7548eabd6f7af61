"""What a LogReader hands its runners (projections): batches of the log, decoded, and where each runner is."""

from __future__ import annotations

from dataclasses import dataclass

from projections.generations import Recorded


class Follower:
    """A runner following the log with a LogReader: where its next batch starts."""

    def __init__(self) -> None:
        self.next = -1


@dataclass(frozen=True)
class Undecodable:
    """The decoded form of an event whose stored state cannot be decoded: poison for every projection."""

    error: Exception


@dataclass(frozen=True)
class Batch:
    """The events after a position, in order; events of unknown types are left out."""

    events: list[Recorded]
    last: int
    """The position of the last event read (the one asked after, if none)."""
    rows: int
    """How many stored events were read (a complete batch: as many as asked for)."""
    started: float = 0.0
    """The event loop's time when the read began: every event committed before then is in it (or before it)."""
    after: int = -1
    """The position the read began after (a runner may be given the part of it after its own position)."""

    def since(self, position: int) -> Batch:
        """The part of this batch after `position` (within it)."""
        events = [e for e in self.events if e.position > position]
        return Batch(events, self.last, max(len(events), 1), self.started, position)
