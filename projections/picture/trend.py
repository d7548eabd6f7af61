"""The trend of a count: this week against the average of the four weeks before it."""

from __future__ import annotations

from typing import Literal

Trend = Literal["up", "down", "flat"]
PREVIOUS_WEEKS = 4
MARGIN = 0.25  # a quarter above or below the average, and at least one whole occurrence


def trend(current: int, previous: list[int]) -> Trend:
    """`up` or `down` when this week differs from the recent average by a quarter and by one or more."""
    average = sum(previous) / len(previous) if previous else 0.0
    if current > average * (1 + MARGIN) and current - average >= 1:
        return "up"
    if current < average * (1 - MARGIN) and average - current >= 1:
        return "down"
    return "flat"
