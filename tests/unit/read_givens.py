"""Givens for the read-model tests: events as the log hands them to a projection, at a fixed time."""

from __future__ import annotations

from typing import Any

from projections.generations import Recorded
from tests.unit.givens import NOW


def logged(*events: Any, start: int = 1) -> list[Recorded]:
    """The events as stored one after another from position `start`, all recorded at NOW."""
    return [
        Recorded(
            start + n, NOW, e.originator_id, e.originator_version, f"{type(e).__module__}:{type(e).__qualname__}", e
        )
        for n, e in enumerate(events)
    ]
