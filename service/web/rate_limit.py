"""Per-token rate limit on writes: a token bucket for each bearer token; empty, a write gets 429 with Retry-After.

Litestar's own RateLimitMiddleware counts requests in fixed windows and sends no Retry-After; a bucket
allows a burst and then a steady rate, and knows exactly when the next write will be allowed.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from service.web.auth import authenticate
from service.web.problems import WRITE_METHODS

MAX_BUCKETS = 100_000


class TokenBuckets:
    """One bucket per key: it holds up to `burst` writes and refills at `rate` a second."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limit needs a rate above 0 and a burst of at least 1")
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: dict[bytes, tuple[float, float]] = {}  # key -> (tokens, when counted)

    def take(self, key: bytes) -> float:
        """Take one write from `key`'s bucket: 0 if it had one, else the seconds until it will have one."""
        now = self._clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        if key not in self._buckets and len(self._buckets) >= MAX_BUCKETS:
            self._forget_full(now)
        self._buckets[key] = (tokens - 1, now)
        return 0.0

    def __len__(self) -> int:
        return len(self._buckets)

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: a missing bucket is a full one."""
        full = [k for k, (tokens, then) in self._buckets.items() if tokens + (now - then) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_BUCKETS:  # that many tokens all busy at once: start afresh
            self._buckets.clear()


def limit_writes(buckets: TokenBuckets) -> Guard:
    """Guard: writes (POST, PUT, PATCH, DELETE) take from the bucket of their bearer token; reads pass."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") not in WRITE_METHODS:
            return
        authenticate(connection)  # 401 first: only valid tokens get a bucket
        token = connection.headers.get("authorization", "").partition(" ")[2].strip()
        wait = buckets.take(hashlib.sha256(token.encode()).digest())
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequestsException(
                f"too many writes with this token ({buckets.burst} at once, then {buckets.rate:g} a second);"
                f" try again in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )

    return guard
