"""Benchmark: the web app's pages rendered by the server while reports arrive, and the overview's first load.

On a scratch database holding `--events` synthetic events (bench/events.py: 8 partnerships, the
one read being jonkoping with 24 areas), `lagesbild serve` in its own process, caught up. Then,
in rounds that take turns (the machine is shared: a slow spell spoils one run of each, not all
runs of one), each target read by 32 readers paced at 10/s each (320/s) while reports are posted
at 500/s (bench/picture_load.py):

- the baseline, `GET /api/v1/picture` (the overview's query as JSON, by bearer token);
- Översikt, `GET /` (the same query rendered, by session cookie);
- Granskning, `GET /granskning` (the audit trail's first page and its filter form);
- Område, `GET /omraden/{id}` of a random one of the 24 areas (AREA_PAGE, bench/pages_report.py).

And the first load of the overview: its HTML and every stylesheet, script and image it links,
in bytes as served, each from the service's own origin. Writes its table into bench/RESULTS.md.

    .venv/bin/python -m bench.pages [--events 200000] [--seconds 10] [--rounds 3]
        [--projections separate] [--replicas 2]

`--projections separate`: the read models kept by `lagesbild project`, as deployed; `--replicas N`:
N `lagesbild serve` processes (and the worker), each reader and writer on one of them in turn, as
replicas behind a load balancer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from bench.api import free_port, start_server, wait_ready
from bench.catchup import cpu_seconds, postgres_cpu_seconds
from bench.pages_report import AREA_PAGE, report
from bench.projections import _subprocess, settled_database
from bench.scratch_log import copy_log
from bench.support import bench_server
from bench.tenants import tenant_areas
from service.db.location import database_name, with_database
from service.db.scratch import scratch_database
from service.web.auth import mint_development_token

TENANT = "jonkoping"
LINKED = re.compile(r'<(?:link[^>]*\shref|script[^>]*\ssrc|img[^>]*\ssrc)="([^"]+)"')


def sign_in(base: str, roles: list[str]) -> str:
    """A session of the pages through the development sign-in form: the Cookie header's value."""
    with httpx.Client(base_url=base) as client:
        form = client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        assert token, "no CSRF token in the sign-in form"
        fields = {"_csrf_token": token[1], "tenant": TENANT, "org": "kommunen", "roles": roles, "sub": "bench-user"}
        answer = client.post("/login", data=fields)
        assert answer.status_code == 303, answer.text
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def first_load(base: str, cookie: str) -> dict[str, Any]:
    """The overview's HTML and everything it links (stylesheets, scripts, images): bytes each, and their origins."""
    with httpx.Client(base_url=base, headers={"Cookie": cookie}) as client:
        page = client.get("/")
        assert page.status_code == 200, page.text
        sizes = {"/ (HTML)": len(page.content)}
        foreign = []
        for href in LINKED.findall(page.text):
            url = urljoin(base + "/", href)
            if urlsplit(url).netloc != urlsplit(base).netloc:
                foreign.append(href)
                continue
            linked = client.get(url)
            assert linked.status_code == 200, href
            sizes[href] = len(linked.content)
    return {"sizes": sizes, "total": sum(sizes.values()), "foreign": foreign}


def wait_caught_up(base: str, token: str) -> None:
    """Wait until the picture, the audit trail and the catalogue have applied the whole log (each ask waits 2 s)."""
    head = httpx.get(f"{base}/ready").json()["head_position"]
    for path in ("/api/v1/picture", "/api/v1/audit", "/api/v1/areas"):
        while True:
            answer = httpx.get(
                base + path, params={"min_position": head}, headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            if answer.status_code == 200:
                break
            assert answer.status_code == 503, answer.text


@dataclass
class Served:
    """The server(s) on the scratch log, caught up and settled, and what the load generator needs to read them."""

    urls: Any
    args: argparse.Namespace
    ports: list[int]
    servers: list[subprocess.Popen[bytes]]
    worker: subprocess.Popen[bytes] | None
    token: str = ""
    cookie: str = ""
    areas: list[str] = field(default_factory=list)
    targets: dict[str, list[str]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        """The first server's URL."""
        return f"http://127.0.0.1:{self.ports[0]}"

    async def measure(self, paths: list[str], write_rate: float) -> dict[str, Any]:
        """One run of bench/picture_load.py: `paths` read while reports are posted at `write_rate`, CPU beside."""
        args = self.args
        load = [
            "bench.picture_load", "--port", ",".join(map(str, self.ports)), "--dsn", self.urls.service,
            "--token", self.token, "--areas", ",".join(self.areas), "--paths", ",".join(paths),
            "--cookie", self.cookie, "--seconds", str(args.seconds), "--readers", str(args.readers),
            "--reader-rate", str(args.reader_rate), "--write-rate", str(write_rate),
        ]  # fmt: skip
        cpu, worker_cpu = _servers_cpu(self.servers), cpu_seconds(self.worker.pid) if self.worker else 0.0
        postgres_cpu = postgres_cpu_seconds()
        run = await _subprocess(*load)
        run["postgres_cpu_seconds"] = postgres_cpu_seconds() - postgres_cpu
        run["postgres_cpu_percent"] = run["postgres_cpu_seconds"] / (args.seconds + 2) * 100
        run["server_cpu_seconds"] = _servers_cpu(self.servers) - cpu
        run["server_cpu_percent"] = run["server_cpu_seconds"] / (args.seconds + 2) * 100
        worker_seconds = cpu_seconds(self.worker.pid) - worker_cpu if self.worker else 0.0
        run["worker_cpu_percent"] = worker_seconds / (args.seconds + 2) * 100
        return run


@contextlib.asynccontextmanager
async def served(urls: Any, data_dir: Path, args: argparse.Namespace, admin: str) -> AsyncIterator[Served]:
    """`args.replicas` servers (and the worker, if separate) on the scratch log, caught up, settled, signed in."""
    ports: list[int] = []
    while len(ports) < args.replicas:
        ports += [port] if (port := free_port()) not in ports else []
    separate = args.projections == "separate" or args.replicas > 1
    projections = "off" if separate else "in-process"
    servers = [start_server(urls, data_dir, port, projections=projections) for port in ports]
    # As deployed (deploy/): the read models kept by `lagesbild project`, a process of its own.
    worker = start_server(urls, data_dir, ports[0], command="project") if separate else None
    s = Served(urls, args, ports, servers, worker)
    try:
        for port, replica in zip(ports, servers, strict=True):
            await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{port}", replica)
        roles = ["reporter", "coordinator", "auditor"]
        s.token = mint_development_token(data_dir, sub="bench-polis", tenant=TENANT, org="polisen", roles=roles)
        await asyncio.to_thread(wait_caught_up, s.base, s.token)
        await settled_database(admin)  # as autovacuum has done in a service that has run a while
        s.cookie = await asyncio.to_thread(sign_in, s.base, ["coordinator", "auditor"])
        s.areas = [str(a) for a in tenant_areas(TENANT)]
        s.targets = {"baseline: GET /api/v1/picture": ["/api/v1/picture"], "Översikt: GET /": ["/"]}
        s.targets["Granskning: GET /granskning"] = ["/granskning"]
        if AREA_PAGE:
            s.targets[f"Område: GET {AREA_PAGE}"] = [AREA_PAGE.format(id=area) for area in s.areas]
        yield s
    finally:
        for process in (*servers, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


async def serve_and_load(urls: Any, data_dir: Path, args: argparse.Namespace, admin: str) -> dict[str, Any]:
    """The targets read in turn, `args.rounds` times, then each without the writes, and the first load."""
    async with served(urls, data_dir, args, admin) as s:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in s.targets}
        for n in range(args.rounds):
            for name, paths in s.targets.items():
                run = await s.measure(paths, args.write_rate)
                runs[name].append(run)
                print(f"round {n + 1}, {name}: p50 {run['read_p50_ms']:.1f} ms, p99 {run['read_p99_ms']:.1f} ms")
        # Without the writes the server's CPU is the reads' own: per read, less moved by the machine's other work.
        alone = {name: await s.measure(paths, 0.0) for name, paths in s.targets.items()}
        loaded = await asyncio.to_thread(first_load, s.base, s.cookie)
    return {"runs": runs, "alone": alone, "first_load": loaded}


def _servers_cpu(servers: list[subprocess.Popen[bytes]]) -> float:
    return sum(cpu_seconds(server.pid) for server in servers)


Work = Callable[[Any, Path, argparse.Namespace, str], Awaitable[dict[str, Any]]]
"""What runs on the scratch log: given its URLs, a data folder, the arguments and the admin DSN."""


def on_scratch_log(args: argparse.Namespace, work: Work) -> tuple[dict[str, Any], tuple[float, float]]:
    """`work` on a scratch log of `args.events` synthetic events: its result, and the load average before and after."""
    load = os.getloadavg()[0]
    with bench_server() as server_dsn, tempfile.TemporaryDirectory() as tmp:

        async def run() -> dict[str, Any]:
            async with scratch_database(server_dsn, "lagesbild_bench_pages") as urls:
                admin = with_database(server_dsn, database_name(urls.service))
                events = await copy_log(admin, args.events)
                print(f"{events:,} events copied in")
                return {"events": events, **await work(urls, Path(tmp), args, admin)}

        result = asyncio.run(run())
    return result, (load, os.getloadavg()[0])


def arguments(description: str) -> argparse.ArgumentParser:
    """The options this benchmark and those built on it (bench/pages_capacity.py) take."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the targets, taking turns (median shown)")
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--reader-rate", type=float, default=10.0, help="reads a second per reader")
    parser.add_argument("--write-rate", type=float, default=500.0)
    parser.add_argument(
        "--projections",
        choices=("in-process", "separate"),
        default="in-process",
        help="the read models kept in the server's process (./dev run) or by `lagesbild project` (as deployed)",
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="`lagesbild serve` processes sharing the load (more than one: separate)"
    )
    return parser


if __name__ == "__main__":
    arguments_given = arguments(__doc__.splitlines()[0]).parse_args()
    report(*on_scratch_log(arguments_given, serve_and_load), arguments_given)
