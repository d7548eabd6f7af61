"""Per-token rate limit on writes: a token bucket for each bearer token; empty, a write gets 429 with Retry-After.

The buckets are in PostgreSQL (migration 0013, `lagesbild_take_write`), not in the process, so that
every API replica takes from the same bucket: two replicas allow a token what one would. Litestar's
own RateLimitMiddleware counts requests per process in fixed windows and sends no Retry-After; a
bucket allows a burst and then a steady rate, and knows exactly when the next write will be allowed.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import asyncpg
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from service.web.auth import authenticate
from service.web.problems import WRITE_METHODS


class WriteLimit:
    """One bucket per key, shared by every replica: it holds up to `burst` writes and refills at `rate` a second."""

    def __init__(self, rate: float, burst: int) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limit needs a rate above 0 and a burst of at least 1")
        self.rate, self.burst = rate, burst

    async def take(self, pool: asyncpg.Pool, key: bytes) -> float:
        """Take one write from `key`'s bucket: 0 if it had one, else the seconds until it will have one."""
        return float(await pool.fetchval("SELECT lagesbild_take_write($1, $2, $3)", key, self.rate, self.burst))


def limit_writes(limit: WriteLimit) -> Guard:
    """Guard: writes (POST, PUT, PATCH, DELETE) take from the bucket of their bearer token; reads pass."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") not in WRITE_METHODS:
            return
        authenticate(connection)  # 401 first: only valid tokens get a bucket
        token = connection.headers.get("authorization", "").partition(" ")[2].strip()
        wait = await limit.take(connection.app.state.pool, hashlib.sha256(token.encode()).digest())
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequestsException(
                f"too many writes with this token ({limit.burst} at once, then {limit.rate:g} a second);"
                f" try again in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )

    return guard
