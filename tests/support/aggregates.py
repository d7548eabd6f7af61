"""A tiny aggregate for testing the event store without depending on the EST domain."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event


class Tally(Aggregate):
    """Counts what is added to it."""

    @event("Opened")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Added")
    def add(self, amount: int) -> None:
        """Add `amount` to the count."""
        self.count += amount
