"""Benchmark: importing 50,000 rows of CSV against single `POST /api/v1/reports` from the same client, one run.

The service runs as its own process (`lagesbild serve` on a scratch database). One client first sends
reports one by one over a keep-alive connection (what a script without the import does), then the
same kind of rows as one CSV to `POST /api/v1/reports/import`, then that file again (nothing new).
The service's peak resident memory (VmHWM) is read from /proc after the imports.

    .venv/bin/python -m bench.imports [--rows 50000] [--singles 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import tempfile
import time
from pathlib import Path

import httpx

from bench.api import scratch_service
from bench.support import bench_server, machine_details, write_section
from service.web.auth import mint_development_token


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["area", "category", "occurred_at", "count", "place", "description", "external_id"])
    for i in range(rows):
        when = f"2026-{1 + i % 9:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}"
        writer.writerow(["raslatt", "klotter", when, 1 + i % 5, f"Trapphus {i % 40}", "Klotter på väggen", f"b-{i}"])
    return out.getvalue().encode()


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc")


def _measure(base: str, token: str, area: str, rows: int, singles: int) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        started = time.perf_counter()
        for i in range(singles):
            report = {
                "area_id": area,
                "category": "klotter",
                "occurred_at": "2026-03-01T10:00:00+01:00",
                "count": 1 + i % 5,
                "place": f"Trapphus {i % 40}",
                "description": "Klotter på väggen",
            }
            client.post("/api/v1/reports", json=report).raise_for_status()
        single_rate = singles / (time.perf_counter() - started)
        body = _csv(rows)
        started = time.perf_counter()
        first = client.post("/api/v1/reports/import", content=body, headers={"Content-Type": "text/csv"})
        first.raise_for_status()
        import_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = client.post("/api/v1/reports/import", content=body, headers={"Content-Type": "text/csv"})
        again.raise_for_status()
        again_seconds = time.perf_counter() - started
    assert first.json()["created"] == rows
    assert again.json()["already_there"] == rows
    return {
        "single_rate": single_rate,
        "import_rate": rows / import_seconds,
        "import_seconds": import_seconds,
        "again_rate": rows / again_seconds,
        "megabytes": len(body) / 1e6,
    }


def main(rows: int, singles: int) -> None:
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)

        async def scratch() -> dict[str, float]:
            async with scratch_service(server_dsn, "lagesbild_bench_import", data_dir) as (_, base, server, areas):
                token = mint_development_token(
                    data_dir, sub="bench-reporter", tenant="bench", org="polisen", roles=["reporter"]
                )
                result = await asyncio.to_thread(_measure, base, token, areas[0], rows, singles)
                result["rss_mb"] = _peak_rss_mb(server.pid)
                return result

        result = asyncio.run(scratch())
    report(result, rows, singles)


def report(result: dict[str, float], rows: int, singles: int) -> None:
    ratio = result["import_rate"] / result["single_rate"]
    table = "\n".join(
        [
            "| measure | value |",
            "|---|---:|",
            f"| single `POST /api/v1/reports`, one client, {singles:,} reports "
            f"| {result['single_rate']:,.0f} reports/s |",
            f"| `POST /api/v1/reports/import`, {rows:,} rows ({result['megabytes']:.1f} MB CSV) "
            f"| **{result['import_rate']:,.0f} rows/s** ({result['import_seconds']:.1f} s) |",
            f"| import against single posts | **{ratio:.1f}×** |",
            f"| the same file again (nothing new) | {result['again_rate']:,.0f} rows/s |",
            f"| the service's peak RSS (VmHWM) | **{result['rss_mb']:.0f} MB** |",
        ]
    )
    print(table)
    write_section(
        "imports",
        "Importing a spreadsheet against single reports (`bench/imports.py`)",
        f".venv/bin/python -m bench.imports --rows {rows} --singles {singles}",
        f"{machine_details()}\n\nServer: `lagesbild serve`, one process, its own scratch database, no write "
        "limit. One client (httpx, keep-alive): first single reports one after the other, then one CSV of "
        f"{rows:,} rows (semicolons, an external_id each), then the same file again.\n\n{table}",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--singles", type=int, default=3000)
    args = parser.parse_args()
    main(args.rows, args.singles)
