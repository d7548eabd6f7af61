"""Benchmark (bench/): what a boundary of the most points costs the Area's check and the page's map, in process.

    .venv/bin/python -m bench.boundaries [--points 5000] [--runs 50]

Prints the median of `--runs` runs of each: `checked_boundary` (structure in Python, validity with
shapely), and drawing the map of Översikt with five such areas (`service/pages/maps.py`).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

from domain.boundary import checked_boundary
from domain.limits import BOUNDARY_POINTS_MAX
from service.pages.maps import Shape, area_map


def circle(points: int, lon: float, lat: float) -> dict[str, Any]:
    """A closed ring of `points` points (the last the first) around (lon, lat), about 2 km across."""
    ring = [
        [lon + 0.02 * math.cos(2 * math.pi * i / (points - 1)), lat + 0.01 * math.sin(2 * math.pi * i / (points - 1))]
        for i in range(points - 1)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def median_ms(run: Callable[[], object], runs: int) -> float:
    """The median wall time of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=BOUNDARY_POINTS_MAX)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    one = circle(args.points, 14.15, 57.75)
    five = [Shape(circle(args.points, 14.15 + 0.05 * n, 57.75), "yellow", f"Område {n}\nGul", "") for n in range(5)]
    check = median_ms(lambda: checked_boundary(one), args.runs)
    draw = median_ms(lambda: area_map("karta", "Karta", "Fem områden.", five), args.runs)
    print("| measure | median |\n|---|---:|")
    print(f"| `checked_boundary`, one boundary of {args.points:,} points | {check:.1f} ms |")
    print(f"| `area_map`, five areas of {args.points:,} points each | {draw:.1f} ms |")


if __name__ == "__main__":
    main()
