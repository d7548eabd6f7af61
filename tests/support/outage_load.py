"""Reporters under a database outage (tests/integration/api/test_database_outage.py): each POST, its answer, retries."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.integration.api.conftest import report_body


@dataclass
class Attempt:
    """One POST /api/v1/reports and its answer."""

    key: str
    started: float
    seconds: float
    status: int
    headers: httpx.Headers
    body: dict[str, Any]


class Load:
    """Reporters submitting reports with Idempotency-Keys, as fast as they are answered."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str], area: str) -> None:
        self.http, self.headers, self.area = http, headers, area
        self.attempts: list[Attempt] = []
        self.final: dict[str, Attempt] = {}  # each key's last answer
        self.database_up = asyncio.Event()
        self.database_up.set()
        self.done = asyncio.Event()
        self._answered = asyncio.Event()

    async def submit(self, key: str, n: int) -> Attempt:
        """One report; its count, week and category vary with `n`."""
        day = 20 - 7 * (n % 4)
        body = report_body(
            self.area, count=n % 3 + 1, category=("klotter", "brand")[n // 4 % 2],
            occurred_at=f"2026-{'11' if day > 0 else '10'}-{day if day > 0 else day + 31:02d}T21:30:00+01:00",
        )  # fmt: skip
        started = time.monotonic()
        response = await self.http.post("/api/v1/reports", json=body, headers=self.headers | {"Idempotency-Key": key})
        seconds = time.monotonic() - started
        attempt = Attempt(key, started, seconds, response.status_code, response.headers, response.json())
        self.attempts.append(attempt)
        self._answered.set()
        self._answered = asyncio.Event()
        return attempt

    async def reporter(self, name: str) -> None:
        """Submit until done; a 503 that may have stored is retried with its key once the database is back."""
        n = 0
        while not self.done.is_set():
            n += 1
            key = f"{name}-{n}"
            attempt = await self.submit(key, n)
            while attempt.status == 503 and attempt.body.get("maybe_stored") and not self.done.is_set():
                await self.database_up.wait()
                attempt = await self.submit(key, n)
            self.final[key] = attempt
            if attempt.status == 503:  # a client honouring Retry-After would wait; do so briefly
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.1):
                        await self.database_up.wait()

    async def until(self, count: int, status: int, since: float) -> None:
        """Wait until `count` requests made after `since` were answered with `status`."""
        async with asyncio.timeout(20):
            while sum(1 for a in self.attempts if a.started >= since and a.status == status) < count:
                await self._answered.wait()
