"""Benchmark: what the privacy guard costs a text, this commit's against another's (A/B, interleaved).

The other commit's `domain/privacy.py` is loaded from git beside this one; both check the same
texts (a report's typical place and description, a long description at the limit, Swedish text
with digits, a text in full-width digits), in rounds that alternate the two, so that a busy
machine slows both alike. The figure is the median over the rounds of the mean CPU time per call.

    .venv/bin/python -m bench.privacy [--against HEAD~1] [--rounds 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from bench.support import machine_details, write_section
from domain import privacy
from domain.limits import REPORT_DESCRIPTION_MAX

_SENTENCE = "Nytt klotter på gaveln vid Råslätts centrum, upptäckt 2026-11-20 kl 21.30; skada 12 500 kr. "
TEXTS = {
    "place (short)": "Gångtunneln vid centrum",
    "description (typical, 90 chars)": _SENTENCE,
    f"description at the limit ({REPORT_DESCRIPTION_MAX} chars)": (_SENTENCE * 100)[:REPORT_DESCRIPTION_MAX],
    "ASCII only, 90 chars": "Graffiti on the gable by the square, found 2026-11-20 at 21.30; damage 12 500 SEK.  ",
    "full-width digits, 40 chars": "ärende ５０００-Ｋ１２３４５６-２６ vecka ４７ kl ２１.３０",
}

REPORT = "a report: place and description, each alone (after: and together)"


def _load_other(revision: str) -> ModuleType:
    """`domain/privacy.py` as it was at `revision`, as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:domain/privacy.py"], check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "privacy_other.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("privacy_other", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mean_seconds(check: Callable[[str], object], text: str, calls: int) -> float:
    started = time.process_time()  # CPU time: a busy machine's other work is not counted
    for _ in range(calls):
        check(text)
    return (time.process_time() - started) / calls


def _report_check(guard: ModuleType) -> Callable[[str], object]:
    """A report's guard: place and description each (then, where the guard has it, both together)."""
    place, description = TEXTS["place (short)"], TEXTS["description (typical, 90 chars)"]

    def check(_: str) -> None:
        list(guard.find_personal_data(place))
        list(guard.find_personal_data(description))
        if hasattr(guard, "check_free_texts_together"):
            guard.check_free_texts_together([("place", place), ("description", description)])

    return check


def _measure(
    checks: dict[str, Callable[[str], object]], rounds: int, texts: dict[str, str] = TEXTS
) -> Iterator[tuple[str, dict[str, float]]]:
    for name, text in texts.items():
        calls = max(20, 20_000 // max(1, len(text) or 100))
        samples: dict[str, list[float]] = {side: [] for side in checks}
        for _ in range(rounds):
            for side, check in checks.items():
                samples[side].append(_mean_seconds(check, text, calls))
        yield name, {side: statistics.median(values) for side, values in samples.items()}


def main(against: str, rounds: int) -> None:
    other = _load_other(against)
    checks: dict[str, Callable[[str], object]] = {
        "before": lambda text: list(other.find_personal_data(text)),
        "after": lambda text: list(privacy.find_personal_data(text)),
    }
    report_checks = {"before": _report_check(other), "after": _report_check(privacy)}
    rows = ["| text | before (µs) | after (µs) | after / before |", "|---|---:|---:|---:|"]
    measured = [*_measure(checks, rounds), *_measure(report_checks, rounds, {REPORT: ""})]
    for name, result in measured:
        before, after = result["before"] * 1e6, result["after"] * 1e6
        rows.append(f"| {name} | {before:,.1f} | {after:,.1f} | {after / before:.2f}x |")
    table = "\n".join(rows)
    print(table)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    write_section(
        "privacy",
        "What the privacy guard costs a text (`bench/privacy.py`, A/B)",
        f".venv/bin/python -m bench.privacy --against {against} --rounds {rounds}",
        f"{machine_details()}\n\n`find_personal_data` of {head} (after) against that of {against} (before), "
        f"loaded side by side and alternated in {rounds} rounds; medians of each round's mean CPU time"
        f" per call.\n\n{table}",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD~1", help="the commit whose guard is the baseline")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    main(args.against, args.rounds)
