"""The production topology as processes: `lagesbild` commands with the manifests' settings, the load, a log reader."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx

from tests.integration.api.conftest import report_body

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "lagesbild.env.example"
_NOT_HERE = ("LAGESBILD_OIDC_",)
"""Settings of the example left out here: there is no identity provider, so tokens are development ones."""


def deployed_settings(**overrides: str) -> dict[str, str]:
    """The example environment file's settings (as compose's `env_file`), with `overrides`."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {k: v for k, v in values.items() if not k.startswith(_NOT_HERE)} | overrides


class Lagesbild:
    """One `lagesbild <command>` process, its log in a file of its own."""

    def __init__(self, log_dir: Path, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name, self.log_path = name, log_dir / f"{name}.log"
        environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("LAGESBILD_")}
        self._log: IO[Any] = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", *command],
            env=environment | env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def wait(self, timeout: float = 60) -> int:
        """Wait for the process to end; its exit code."""
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._log.flush()

    def log(self) -> str:
        """What the process wrote so far."""
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """End the process if it still runs (SIGKILL after 30 s of SIGTERM)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class Writes:
    """Reporters writing to both APIs, each with Idempotency-Keys; a write is retried until answered 2xx."""

    def __init__(self, apis: list[str], token: str, area: str) -> None:
        self.apis, self.headers, self.area = apis, {"Authorization": f"Bearer {token}"}, area
        self.down: set[str] = set()
        self.answered: dict[str, str] = {}  # key -> the report id its 2xx named
        self.by_api: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.stop = asyncio.Event()
        self._progress = asyncio.Event()

    async def writer(self, http: httpx.AsyncClient, name: str, preferred: int) -> None:
        """Write reports until stopped; a write whose API has gone is sent to the other with the same key."""
        for n in itertools.count(1):
            if self.stop.is_set():
                return
            key, choice = f"{name}-{n}", preferred
            body = report_body(self.area, count=n % 3 + 1, category=("klotter", "brand")[n % 2])
            while True:
                api = self.apis[choice % len(self.apis)]
                if api in self.down:
                    choice += 1
                    continue
                try:
                    answer = await http.post(
                        f"{api}/api/v1/reports", json=body, headers=self.headers | {"Idempotency-Key": key}
                    )
                except httpx.TransportError:  # the API stopped (or is stopping): the other one, same key
                    choice += 1
                    continue
                self.statuses[answer.status_code] += 1
                if answer.status_code == 201:
                    break
                assert answer.status_code == 503, answer.text  # unavailable for a moment: the same key again
            self.answered[key] = answer.json()["id"]
            self.by_api[api] += 1
            self._progress.set()

    async def until(self, count: int) -> None:
        """Wait until `count` writes have been answered 2xx."""
        async with asyncio.timeout(30):
            while len(self.answered) < count:
                self._progress.clear()
                await self._progress.wait()


async def _follow_the_log(dsn: str, seen: list[int], done: asyncio.Event) -> None:
    """A reader following the log by position, as a projection does, until `done` and at the head."""
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            last = seen[-1] if seen else 0
            rows = await conn.fetch(
                "SELECT notification_id FROM stored_events WHERE notification_id > $1 ORDER BY notification_id"
                " LIMIT 1000",
                last,
            )
            seen.extend(r[0] for r in rows)
            if not rows:
                if done.is_set() and last == await conn.fetchval("SELECT max(notification_id) FROM stored_events"):
                    return
                await asyncio.sleep(0.005)  # a poll of the log, as the runners' safety net
    finally:
        await conn.close()


async def _ready(http: httpx.AsyncClient, api: str, *, caught_up: bool = False) -> dict[str, object]:
    """Wait until `api` answers /ready 200 (and, if `caught_up`, every projection is at the head)."""
    async with asyncio.timeout(60):
        while True:
            with contextlib.suppress(httpx.TransportError):
                ready = await http.get(f"{api}/ready")
                if ready.status_code == 200:
                    state = ready.json()
                    if not caught_up or all(p["position"] == state["head_position"] for p in state["projections"]):
                        return dict(state)
            await asyncio.sleep(0.05)


IN_BATCH = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = 'lagesbild' AND usename = 'lagesbild_api' AND backend_xid IS NOT NULL
  AND query ~ '_g[0-9]|projection_generations'
"""
"""A transaction that has written to a read model or its checkpoint (the APIs, projections off, never do)."""


async def _kill_in_mid_batch(worker: Lagesbild, admin: asyncpg.Connection) -> None:
    """Stop the worker (SIGSTOP) until it is caught inside a batch's transaction, then kill -9 it."""
    async with asyncio.timeout(30):
        while True:
            os.kill(worker.pid, signal.SIGSTOP)
            if await admin.fetchval(IN_BATCH):
                break
            os.kill(worker.pid, signal.SIGCONT)
            await asyncio.sleep(0.003)  # let it run on a little before it is caught again
    os.kill(worker.pid, signal.SIGKILL)
    assert worker.wait() == -signal.SIGKILL
