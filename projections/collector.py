"""The garbage collector while runners catch up: young collections sized for a batch, not for 700 objects.

A catch-up keeps a few batches of decoded events alive at a time (tens of thousands of objects
each), none of them in reference cycles. With the default threshold (700 allocations) the
collector passes over every batch on its way to the old generation, and its full passes over all
of them: measured on a log of 1.3 million events, picture and audit at once, about 15,000
collections taking 7.5-8 s of a 69 s catch-up, 41-42 µs of runner CPU per event. With a young
generation larger than a batch leaves behind, a batch is freed before the collector looks at it:
about 100 collections, 0.02 s, 37-38 µs per event. The collector still runs, so cyclic garbage
(a request's, in the service) is still collected, only less often. Following the log live (short
batches), the process's own thresholds apply.
"""

from __future__ import annotations

import gc

YOUNG_WHILE_CATCHING_UP = 100_000
"""The young generation's threshold while a runner catches up (a batch of 5000 events, decoded and
applied by two runners, leaves 20,000-50,000 more objects than it frees)."""

_claims = 0
_restore: tuple[int, int, int] | None = None


class CatchUpCollection:
    """One runner's say in the collector's threshold: batch-sized while it catches up."""

    def __init__(self) -> None:
        self._claimed = False

    def catching_up(self, now: bool) -> None:
        """Whether the runner is catching up (full batches) from now on; idempotent."""
        if now and not self._claimed:
            _claim()
        elif self._claimed and not now:
            _release()
        self._claimed = now


def _claim() -> None:
    global _claims, _restore
    if _claims == 0:
        _restore = gc.get_threshold()
        young, *older = _restore
        gc.set_threshold(max(young, YOUNG_WHILE_CATCHING_UP), *older)
    _claims += 1


def _release() -> None:
    global _claims, _restore
    _claims -= 1
    if _claims == 0 and _restore is not None:
        gc.set_threshold(*_restore)  # the last runner is following live: the process's own thresholds again
        _restore = None
