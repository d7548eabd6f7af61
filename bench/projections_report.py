"""The read-side benchmark's table, notes and analysis (bench/projections.py), written into bench/RESULTS.md."""

from __future__ import annotations

import sys
from typing import Any

from bench.support import machine_details, write_section

Result = dict[str, Any]


def _rate(run: Result) -> float:
    return float(run["events"] / run["seconds"])


def _best(runs: list[Result]) -> Result:
    return max(runs, key=_rate)


def _catch_up_cell(runs: list[Result]) -> str:
    best = _best(runs)
    rounds = f"; rounds: {' / '.join(f'{_rate(run):,.0f}' for run in runs)}" if len(runs) > 1 else ""
    return f"**{_rate(best):,.0f} events/s** ({best['seconds']:.0f} s{rounds})"


def _median_run(runs: list[Result]) -> Result:
    """The run whose read p99 is the median (of an even number, the higher of the middle two)."""
    return sorted(runs, key=lambda run: float(run["read_p99_ms"]))[len(runs) // 2]


def _runs_note(runs: list[Result], key: str, spec: str) -> str:
    return f" (runs: {' / '.join(format(run[key], spec) for run in runs)})" if len(runs) > 1 else ""


def report(r: Result, load: tuple[float, float]) -> None:
    args, both, alone = r["args"], _best(r["both"]), {name: _best(runs) for name, runs in r["alone"].items()}
    peak_rss = max(run["peak_rss_mb"] for run in r["both"])
    runs = [run for name, run in r["loads"].items() if name.startswith("paced")]
    paced = _median_run(runs)
    alone_reads, closed = r["loads"]["reads only"], r["loads"]["back to back"]
    lag_met = all(run["lag_p99_ms"] <= 250 and not run["lag_missing"] for run in runs)  # in every paced run
    theirs = r["theirs"][0] / r["theirs"][1]
    first_rss = both["rss_by_events"].get("100000")

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    per_event = 1e6 / both["events"]
    lines = [
        "| measure | value | target |",
        "|---|---:|---|",
        f"| catch-up, picture and audit at once (a service starting on an empty read side) |"
        f" {_catch_up_cell(r['both'])} | ≥ 20,000: {mark(_rate(both) >= 20_000)} |",
        *(
            f"| catch-up, {name} alone (a rebuild) | {_catch_up_cell(r['alone'][name])} |"
            f" ≥ 20,000: {mark(_rate(run) >= 20_000)} |"
            for name, run in alone.items()
        ),
        f"| peak RSS of the catching-up process (both, every round) | **{peak_rss:.0f} MB** |"
        f" < 300 MB: {mark(peak_rss < 300)} |",
        f"| RSS after 100,000 events / after {both['events']:,} | {first_rss:.0f} MB / {both['rss_end_mb']:.0f} MB |"
        f" flat: {mark(both['rss_end_mb'] - first_rss < 50)} |"
        if first_rss
        else f"| RSS at the end | {both['rss_end_mb']:.0f} MB | |",
        f"| CPU per event (both): runner process / PostgreSQL | {both['cpu_seconds'] * per_event:.0f} µs /"
        f" {both['server_cpu_seconds'] * per_event:.0f} µs | |",
        f"| eventsourcing library's runner, the same audit trail, first {args.library_events:,} events |"
        f" {theirs:,.0f} events/s | |",
        f"| our runner, audit, the same first events | {_rate(r['ours']):,.0f} events/s"
        f" (**{_rate(r['ours']) / theirs:.0f}x**) | |",
        f"| the library's runner with a view that records its tracking only (its floor) |"
        f" {r['floor'][0] / r['floor'][1]:,.0f} events/s | |",
        f"| `GET /areas/{{id}}/picture`, {args.readers} readers at {args.reader_rate:g}/s each"
        f" ({paced['read_rate']:,.0f}/s), p50 / p99 / max |"
        f" {paced['read_p50_ms']:.1f} / **{paced['read_p99_ms']:.1f}** / {paced['read_max_ms']:.0f} ms"
        f"{_runs_note(runs, 'read_p99_ms', '.1f')} | p99 ≤ 10 ms: {mark(paced['read_p99_ms'] <= 10)} |",
        f"| the same without the writes | {alone_reads['read_p50_ms']:.1f} / {alone_reads['read_p99_ms']:.1f} /"
        f" {alone_reads['read_max_ms']:.0f} ms | |",
        f"| the same, {args.readers} readers back to back ({closed['read_rate']:,.0f}/s), p50 / p99 / max |"
        f" {closed['read_p50_ms']:.1f} / {closed['read_p99_ms']:.1f} / {closed['read_max_ms']:.0f} ms | |",
        f"| live lag, commit to picture applied (paced run), p50 / p99 / max |"
        f" {paced['lag_p50_ms']:.0f} / **{paced['lag_p99_ms']:.0f}** / {paced['lag_max_ms']:.0f} ms"
        f"{_runs_note(runs, 'lag_p99_ms', '.0f')} | p99 ≤ 250 ms: {mark(lag_met)} |",
        f"| the same, readers back to back | {closed['lag_p50_ms']:.0f} / {closed['lag_p99_ms']:.0f} /"
        f" {closed['lag_max_ms']:.0f} ms | |",
        f"| reports written (paced / back-to-back run), write p99 | {paced['write_rate']:,.0f}/s /"
        f" {closed['write_rate']:,.0f}/s, {paced['write_p99_ms']:.0f} / {closed['write_p99_ms']:.0f} ms |"
        f" {args.write_rate:g}/s |",
        f"| server process CPU (of one core): paced / without writes / back to back |"
        f" {paced['server_cpu_percent']:.0f} % / {alone_reads['server_cpu_percent']:.0f} % /"
        f" {closed['server_cpu_percent']:.0f} % | |",
        f"| errors: reads, writes, reports never seen applied |"
        f" {sum(run['read_errors'] for run in r['loads'].values())},"
        f" {sum(run['write_errors'] for run in r['loads'].values())},"
        f" {sum(run['lag_missing'] for run in r['loads'].values())} | 0 |",
    ]
    notes = (
        f"The log: {r['events']:,} events ({r['mix']}), 8 tenants, 112 areas, made and COPYed in {r['made']:.0f} s."
        f" Catch-up: our ProjectionRunner (batches of {args.batch_size}), from position 0 into a new generation,"
        " in a process of its own (uvloop), to the head of the log;"
        f" {args.catch_up_rounds} rounds of both, picture and audit, interleaved, the best of each shown"
        " (its RSS and CPU per event are the best round's of both). The library's runner: `eventsourcing.projection."
        "ProjectionRunner`, a `PostgresTrackingRecorder` view, one transaction per event (its entry, the"
        " stream's area read from the entries, its tracking record)."
        f" Reads and writes: `lagesbild serve` on the same database, load from bench/picture_load.py"
        f" ({args.readers} keep-alive connections for the reads of a random area of 24; reports at"
        f" {args.write_rate:g}/s over 16 connections; {args.seconds:g} s per run after 1 s of warm-up;"
        f" {args.paced_runs} paced runs, the one with the median read p99 shown (with every run's p99); load"
        f" generator CPU {paced['cpu_percent']:.0f} % / {closed['cpu_percent']:.0f} % of one core). Before the"
        f" reads, the whole database was vacuumed, analyzed and checkpointed ({r['settled']:.0f} s), as autovacuum"
        " has done in a service that has run a while. The machine's"
        f" load average (with other work on it) before and after the run: {load[0]:.1f} and {load[1]:.1f}."
    )
    python, postgres = both["cpu_seconds"] * per_event, both["server_cpu_seconds"] * per_event
    analysis = (
        "Both at once, the two runners share one Python process and its log reader (each batch is fetched"
        " and decoded once, for both) and PostgreSQL works on the other core:"
        f" {python:.0f} + {postgres:.0f} µs of CPU per event, so two cores cannot do much more than"
        f" {2e6 / (python + postgres):,.0f} events/s even if nothing waited, and the one Python process no more"
        f" than {1e6 / python:,.0f}; each alone, as in a rebuild, needs less of both. The paced reads' p99 moves"
        " with the rest of the machine: without"
        f" the writes it is {alone_reads['read_p99_ms']:.1f} ms; the writes and the projections following them"
        f" in the same process take the server from {alone_reads['server_cpu_percent']:.0f} % to"
        f" {paced['server_cpu_percent']:.0f} % of a core. That share, for the same load, is also the gauge of how"
        " fast this shared machine was while the reads were timed (a slow spell takes it up by a quarter or more,"
        " and the p99 with it); the CPU per event does the same for the catch-ups. Back to back,"
        f" {args.readers} readers wait on each other: the latency is the queue, not the query."
    )
    table = "\n".join(lines)
    print()
    print(table)
    write_section(
        "projections",
        "Read side: catch-up and the picture under writes (`bench/projections.py`)",
        " ".join([".venv/bin/python -m bench.projections", *sys.argv[1:]]),
        f"{machine_details()}\n\n{table}\n\n{notes}\n\n{analysis}",
    )
