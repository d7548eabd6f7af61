"""Benchmark: the read models' in-memory apply alone, no database: µs of CPU per event, in this process.

The picture's `_apply_one` and the audit trail's `entry_of` over `--events` events of
bench/events.py, with the collector's young generation as while catching up (collector.py);
the median of `--passes` passes. For an A/B of a change to the apply step, run it from each
tree (`cd OTHER && PYTHONPATH=. CLONE/.venv/bin/python -m bench.apply_cpu`), interleaved.
Prints the figures; writes nothing.

    .venv/bin/python -m bench.apply_cpu [--events 200000] [--passes 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from bench.events import LogMaker
from projections.audit.entries import AREA, Entry, entry_of, is_audited
from projections.collector import YOUNG_WHILE_CATCHING_UP
from projections.generations import Recorded
from projections.picture.projection import PictureProjection, _Batch


def _picture(log: list[Recorded]) -> None:
    projection, state = PictureProjection(), _Batch()
    for r in log:
        projection._apply_one(r, state)


def _audit(log: list[Recorded]) -> None:
    streams: dict[UUID, UUID | None] = {}
    entries: list[Entry] = []
    for r in log:
        if is_audited(r.event):
            entry = entry_of(r, streams.get(r.originator_id))
            streams[r.originator_id] = entry[AREA]
            entries.append(entry)


def _per_event(apply: Callable[[list[Recorded]], None], log: list[Recorded], passes: int) -> float:
    times = []
    for _ in range(passes):
        started = time.process_time()
        apply(log)
        times.append(time.process_time() - started)
    return statistics.median(times) * 1e6 / len(log)


def main(args: argparse.Namespace) -> None:
    events = list(LogMaker(args.events, datetime.now(UTC)).events())
    log = [Recorded(n + 1, e.timestamp, e.originator_id, e.originator_version, "", e) for n, e in enumerate(events)]
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_WHILE_CATCHING_UP), *older)
    for name, apply in (("picture", _picture), ("audit", _audit)):
        print(f"{name}: {_per_event(apply, log, args.passes):.2f} µs of CPU per event")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--passes", type=int, default=5)
    main(parser.parse_args())
