"""A switchover as CloudNativePG does it, under write load, with nothing restarted.

A primary and a streaming standby (the embedded PostgreSQL's binaries, `pg_basebackup -R`); the
API and the projections worker reach the primary through a TCP proxy that stands for the cluster's
`-rw` service. While reporters write, the primary is shut down (fast), the standby promoted and the
proxy pointed at it. The processes must come back by themselves. Afterwards every write answered
2xx is on the new primary exactly once, nothing answered 503 with `maybe_stored: false` is there,
the chain verifies and the read model agrees with the log. How long writes answered 503 is printed
(the README's "What a switchover costs" keeps the figure).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from service.db.scratch import create_database
from service.web.auth import mint_development_token
from tests.integration.api.conftest import report_body
from tests.support.proxy import FaultyProxy
from tests.support.replication import primary_and_standby, switch_over
from tests.support.serve_process import free_port
from tests.support.topology import Lagesbild, deployed_settings

WRITERS = 4
SETTLED = 15
"""Writes answered 201 before the switchover, and again after it, before the load stops."""
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


@dataclass
class Load:
    """Reporters writing; each write has its own Idempotency-Key and a time of its own that names it."""

    base: str
    headers: dict[str, str]
    area: str
    answers: dict[int, tuple[int, float, dict[str, Any]]] = field(default_factory=dict)
    numbers: itertools.count[int] = field(default_factory=itertools.count)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    async def writer(self, http: httpx.AsyncClient) -> None:
        """Write until stopped; a 503 is noted and the next write goes on (its own key, its own time)."""
        while not self.stop.is_set():
            n = next(self.numbers)
            body = report_body(self.area, occurred_at=occurred_at(n).isoformat(), place=None, description=None)
            answer = await http.post(
                f"{self.base}/api/v1/reports", json=body, headers=self.headers | {"Idempotency-Key": f"sw-{n}"}
            )
            self.answers[n] = (answer.status_code, time.monotonic(), answer.json())
            self.answered.set()

    def created(self, after: float = 0.0) -> int:
        """Writes answered 201 (after the monotonic time `after`)."""
        return sum(1 for status, at, _ in self.answers.values() if status == 201 and at > after)

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait until `condition` holds of the answers (looked at again after each answer)."""
        while not condition():
            self.answered.clear()
            await self.answered.wait()


def occurred_at(n: int) -> datetime:
    """The time write `n` reports: one second of its own."""
    return T0 + timedelta(seconds=n)


async def _ready(http: httpx.AsyncClient, base: str, process: Lagesbild) -> None:
    """Wait until the API answers /ready with 200 (it is starting: there is nothing else to wait on)."""
    while True:
        assert process.process.poll() is None, process.log()
        try:
            if (await http.get(f"{base}/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)


async def _listed(http: httpx.AsyncClient, base: str, headers: dict[str, str], position: int) -> Counter[datetime]:
    """How often each time is among the partnership's reports, read once the read model is at `position`."""
    seen: Counter[datetime] = Counter()
    params: dict[str, Any] = {"limit": 200, "min_position": position}
    while True:
        page = await http.get(f"{base}/api/v1/reports", params=params, headers=headers)
        if page.status_code == 503:  # the worker is still catching up: ask again, as Retry-After says
            continue
        assert page.status_code == 200, page.text
        seen.update(datetime.fromisoformat(r["occurred_at"]) for r in page.json()["reports"])
        if not (cursor := page.json()["next_cursor"]):
            return seen
        params["cursor"] = cursor


async def test_the_services_come_back_by_themselves_after_a_switchover(tmp_path: Path) -> None:
    with primary_and_standby() as (primary, standby):
        proxy = FaultyProxy(primary.dsn())
        async with proxy as rw:
            urls = await create_database(rw, "lagesbild_switchover")
            env = deployed_settings(
                DATABASE_URL=urls.service,
                LAGESBILD_MIGRATION_DATABASE_URL=urls.migration,
                LAGESBILD_DATA_DIR=str(tmp_path),
                LAGESBILD_PROJECTIONS="off",
                LAGESBILD_WRITE_RATE="off",
                LAGESBILD_LOG_LEVEL="WARNING",
                LAGESBILD_ACCESS_LOG="0",
            )
            port, base = (p := free_port()), f"http://127.0.0.1:{p}"
            api = Lagesbild(tmp_path, "api", ["serve", "--port", str(port)], env)
            worker = Lagesbild(tmp_path, "project", ["project"], env)
            token = mint_development_token(tmp_path, sub="r", tenant="jonkoping", org="polisen", roles=["reporter"])
            admin = mint_development_token(tmp_path, sub="a", tenant="jonkoping", org="kommunen", roles=["admin"])
            try:
                async with httpx.AsyncClient(timeout=60) as http:
                    await _ready(http, base, api)
                    made = await http.post(
                        f"{base}/api/v1/areas",
                        json={"code": "raslatt", "name": "Råslätt"},
                        headers={"Authorization": f"Bearer {admin}"},
                    )
                    assert made.status_code == 201, made.text
                    load = Load(base, {"Authorization": f"Bearer {token}"}, made.json()["id"])
                    writers = [asyncio.create_task(load.writer(http)) for _ in range(WRITERS)]
                    await load.until(lambda: load.created() >= SETTLED)
                    began = time.monotonic()
                    await asyncio.to_thread(switch_over, primary, standby)
                    proxy.point_at(standby.dsn())
                    await load.until(lambda: load.created(after=began) >= SETTLED)
                    load.stop.set()
                    await asyncio.gather(*writers)
                    answers = load.answers
                    head = max(a["position"] for s, _, a in answers.values() if s == 201)
                    listed = await _listed(http, base, load.headers, head)
            finally:  # in threads: stopping, they still talk to the database through the proxy on this loop
                await asyncio.gather(asyncio.to_thread(api.stop), asyncio.to_thread(worker.stop))
            unavailable = [at for status, at, _ in answers.values() if status == 503]
            assert {s for s, _, _ in answers.values()} <= {201, 503}, Counter(s for s, _, _ in answers.values())
            print(
                f"switchover: {len(unavailable)} writes answered 503 over "
                f"{max(unavailable, default=began) - min(unavailable, default=began):.2f} s; "
                f"{len(answers) - len(unavailable)} answered 201"
            )
            created = [n for n, (s, _, _) in answers.items() if s == 201]
            refused = [n for n, (s, _, a) in answers.items() if s == 503 and a.get("maybe_stored") is False]
            assert all(listed[occurred_at(n)] == 1 for n in created)  # every 2xx once
            assert all(listed[occurred_at(n)] == 0 for n in refused)  # no 503 maybe_stored: false
            owner = await asyncpg.connect(urls.migration)
            try:
                in_log = await owner.fetchval(
                    "SELECT count(*) FROM stored_events WHERE topic LIKE 'domain.report:%' AND originator_version = 1"
                )
                assert not await owner.fetchval("SELECT pg_is_in_recovery()")  # the promoted standby
            finally:
                await owner.close()
            assert sum(listed.values()) == in_log  # the read model agrees with the log
            verify = Lagesbild(tmp_path, "verify", ["audit", "verify"], env)
            assert await asyncio.to_thread(verify.wait, 120) == 0, verify.log()  # the proxy runs on this loop
