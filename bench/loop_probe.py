"""`lagesbild serve` with each step of its event loop timed, for bench/loop_steps.py (not for service).

    python -m bench.loop_probe serve --port 8000

As the service's own command, but on asyncio's event loop rather than uvloop (whose steps Python
cannot see), every step's CPU time (the thread's, so time the machine gave to others is not
counted) tallied from SIGUSR1 on; on SIGUSR2 the tallies go as JSON to $LAGESBILD_BENCH_STEPS.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sys
import time
from asyncio import events
from collections import Counter
from pathlib import Path
from typing import Any

LONG_MS = 3.0
"""A step at least this long (of CPU) is counted by where it ended, as well as by its length."""
_DEPTH = 12

by_ms: Counter[int] = Counter()
long_steps: Counter[str] = Counter()
long_ms: dict[str, float] = {}
collections: Counter[str] = Counter()
"""The garbage collector's passes while counting, by generation, and those of 3 ms or more."""
_counting = False
_run = events.Handle._run
_collecting = 0.0


def _where(handle: events.Handle) -> str:
    """The coroutines a task's step ended in, outermost first, with their lines; else the callback's name."""
    task = getattr(handle._callback, "__self__", None)  # type: ignore[attr-defined]
    if not isinstance(task, asyncio.Task):
        return str(getattr(handle._callback, "__qualname__", "a callback"))  # type: ignore[attr-defined]
    names: list[str] = []
    coroutine: Any = task.get_coro()
    while coroutine is not None and len(names) < _DEPTH:
        frame = getattr(coroutine, "cr_frame", None) or getattr(coroutine, "ag_frame", None)
        line = f":{frame.f_lineno}" if frame is not None else ""
        names.append(getattr(coroutine, "__qualname__", type(coroutine).__name__) + line)
        coroutine = getattr(coroutine, "cr_await", None) or getattr(coroutine, "gi_yieldfrom", None)
    return " > ".join(names)


def _timed(self: events.Handle) -> None:
    started = time.thread_time()
    _run(self)
    if not _counting:
        return
    ms = (time.thread_time() - started) * 1000
    by_ms[int(ms)] += 1
    if ms >= LONG_MS:
        where = _where(self)
        long_steps[where] += 1
        long_ms[where] = long_ms.get(where, 0.0) + ms


def _collected(phase: str, info: dict[str, int]) -> None:
    """A pass of the cyclic garbage collector: counted, and its length (a step that holds it is that much longer)."""
    global _collecting  # the time of the pass under way
    if phase == "start":
        _collecting = time.thread_time()
    elif _counting:
        generation = info["generation"]
        collections[f"generation {generation}"] += 1
        if (time.thread_time() - _collecting) * 1000 >= LONG_MS:
            collections[f"generation {generation}, {LONG_MS:g} ms or more"] += 1


def _start_counting(*_: object) -> None:
    global _counting  # the probe's one switch, flipped by a signal
    for tally in (by_ms, long_steps, long_ms, collections):
        tally.clear()
    _counting = True


def _write_tallies(*_: object) -> None:
    tallies = {
        "steps_by_ms": {str(ms): n for ms, n in sorted(by_ms.items())},
        "long": [{"where": w, "steps": n, "cpu_ms": round(long_ms[w], 1)} for w, n in long_steps.most_common()],
        "collections": dict(sorted(collections.items())),
    }
    out = Path(os.environ["LAGESBILD_BENCH_STEPS"])
    written = out.with_suffix(".part")
    written.write_text(json.dumps(tallies))
    written.replace(out)  # whole, for the benchmark waiting for it


def main() -> int:
    sys.modules["uvloop"] = None  # type: ignore[assignment]  # uvicorn's "auto" loop is then asyncio's
    events.Handle._run = _timed  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, _start_counting)
    signal.signal(signal.SIGUSR2, _write_tallies)
    gc.callbacks.append(_collected)
    from service.cli import main as lagesbild

    return lagesbild(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
