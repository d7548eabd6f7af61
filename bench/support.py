"""What the benchmarks share: a database server, the machine's details, RESULTS.md sections."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from service.db.embedded import EmbeddedPostgres

RESULTS = Path(__file__).with_name("RESULTS.md")


@contextlib.contextmanager
def bench_server() -> Iterator[str]:
    """DATABASE_URL, or an embedded server of the benchmarks' own (stopped afterwards)."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    data_dir = Path(os.environ.get("LAGESBILD_DATA_DIR") or ".lagesbild").absolute()
    server = EmbeddedPostgres(data_dir / "pg-bench")
    try:
        yield server.start()
    finally:
        server.stop()


def machine_details() -> str:
    """One line on the machine: CPU, cores, memory, OS, Python, PostgreSQL."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        if match:
            cpu = match[1].strip()
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB memory"
    postgres = "PostgreSQL (DATABASE_URL)"
    if not os.environ.get("DATABASE_URL"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            binary = EmbeddedPostgres.binary("postgres")
            postgres = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}; {postgres} (embedded, default settings: fsync on,"
        " synchronous_commit on), client and server on the same machine."
    )


def write_section(key: str, title: str, command: str, body: str) -> None:
    """Replace (or add) this benchmark's section of RESULTS.md."""
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"{start}\n## {title}\n\nRun {stamp} with:\n\n    {command}\n\n{body}\n{end}"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if start in text and end in text:
        text = text[: text.index(start)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
