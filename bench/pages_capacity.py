"""Benchmark: the reports a second under which Översikt and Område keep their target, the write rate swept.

bench/pages.py's load (32 readers paced at 320 reads/s in all, on the same scratch log and
server) with reports posted at each of `--write-rates` in turn: at each rate, rounds in which the
baseline (`GET /api/v1/picture`), Översikt and Område take turns. The table gives each target's
median p99 at each rate, every round's beside it, the reports that got through, and the server's
CPU; below it, the highest rate at which both pages kept p99 ≤ 15 ms. Writes its section
("pages-capacity") into bench/RESULTS.md.

    .venv/bin/python -m bench.pages_capacity [--events 100000] [--seconds 8] [--rounds 2]
        [--write-rates 0,100,200,300,400,500] [--projections separate]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.pages import arguments, on_scratch_log, served
from bench.pages_report import P99_TARGET_MS, WHERE
from bench.support import machine_details, write_section

PAGES = ("Översikt", "Område")
"""The targets the issue sets the bar for (the baseline is read beside them, for the machine's noise)."""


async def sweep(urls: Any, data_dir: Path, args: argparse.Namespace, admin: str) -> dict[str, Any]:
    """Each target's runs at each write rate: {rate: {target: [run, ...]}}."""
    rates: dict[float, dict[str, list[dict[str, Any]]]] = {}
    async with served(urls, data_dir, args, admin) as s:
        targets = {name: paths for name, paths in s.targets.items() if name.startswith(("baseline", *PAGES))}
        for rate in args.write_rates:
            runs: dict[str, list[dict[str, Any]]] = rates.setdefault(rate, {name: [] for name in targets})
            for n in range(args.rounds):
                for name, paths in targets.items():
                    run = await s.measure(paths, rate)
                    runs[name].append(run)
                    print(f"{rate:.0f} reports/s, round {n + 1}, {name}: p99 {run['read_p99_ms']:.1f} ms")
    return {"rates": rates}


def _p99(runs: list[dict[str, Any]]) -> float:
    return float(statistics.median(float(run["read_p99_ms"]) for run in runs))


def report(r: dict[str, Any], load: tuple[float, float], args: argparse.Namespace) -> None:
    """The table, the highest rate both pages kept the target at, and how it was run."""
    names = list(next(iter(r["rates"].values())))
    head = " | ".join(f"{name}: p99 (each round)" for name in names)
    lines = [
        f"| reports/s asked (through) | {head} | server CPU | both pages p99 ≤ {P99_TARGET_MS:.0f} ms |",
        "|---:|" + "---|" * len(names) + "---:|---|",
    ]
    held = []
    for rate, runs in r["rates"].items():
        cells = []
        for name in names:
            rounds = " / ".join(f"{run['read_p99_ms']:.1f}" for run in runs[name])
            cells.append(f"**{_p99(runs[name]):.1f} ms** ({rounds})")
        through = statistics.median(float(run["write_rate"]) for rs in runs.values() for run in rs)
        cpu = statistics.median(float(run["server_cpu_percent"]) for rs in runs.values() for run in rs)
        pages_ok = all(_p99(runs[name]) <= P99_TARGET_MS for name in names if name.startswith(PAGES))
        held += [rate] if pages_ok else []
        kept = "yes" if pages_ok else "no"
        lines.append(f"| {rate:.0f} ({through:.0f}) | {' | '.join(cells)} | {cpu:.0f} % | {kept} |")
    highest = max(held) if held else None
    if highest is None:
        verdict = f"At no rate did both pages keep p99 ≤ {P99_TARGET_MS:.0f} ms on this machine"
    elif highest == 0:
        verdict = f"Both pages kept p99 ≤ {P99_TARGET_MS:.0f} ms on this machine **only without reports**"
    else:
        verdict = f"Both pages kept p99 ≤ {P99_TARGET_MS:.0f} ms up to **{highest:.0f} reports/s** on this machine"
    where = WHERE["separate" if args.replicas > 1 else args.projections]
    notes = (
        f"The log: {r['events']:,} synthetic events (bench/events.py) in a scratch database; the server"
        f" (`lagesbild serve`, {where}) caught up and the database settled before the reads. At each rate:"
        f" {args.readers} keep-alive readers at {args.reader_rate:g}/s each and the reports posted over 16"
        f" connections, {args.seconds:g} s after 1 s of warm-up (bench/picture_load.py); the targets take"
        " turns within each round. The baseline is the API's JSON of the overview, not kept: it shows how"
        " busy the machine was at each rate. Server CPU: the median run's share of one core (the machine has"
        f" {os.cpu_count()}). Load average before and after: {load[0]:.1f} and {load[1]:.1f}."
    )
    table = "\n".join(lines)
    summary = f"{verdict} (the median p99 of {args.rounds} rounds at each rate)."
    print(f"\n{table}\n\n{summary}")
    write_section(
        "pages-capacity",
        "The web app: the reports a second under which the pages keep their target (`bench/pages_capacity.py`)",
        " ".join([".venv/bin/python -m bench.pages_capacity", *sys.argv[1:]]),
        f"{machine_details()}\n\n{table}\n\n{summary}\n\n{notes}",
    )


if __name__ == "__main__":
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--write-rates",
        type=lambda text: [float(rate) for rate in text.split(",")],
        default=[0.0, 100.0, 200.0, 300.0, 400.0, 500.0],
        help="the reports a second posted, one rate after another (comma-separated)",
    )
    given = parser.parse_args()
    report(*on_scratch_log(given, sweep), given)
