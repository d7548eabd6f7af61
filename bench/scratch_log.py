"""The synthetic log (bench/events.py) in a scratch database: COPYed in, settled, and what it holds."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from bench.events import LogMaker
from domain.codec import make_mapper
from domain.sealing import new_key, sealed_paths


async def copy_log(dsn: str, count: int, end: datetime | None = None, chunk: int = 20_000) -> int:
    """COPY `count` events into `stored_events`, then vacuum and checkpoint: a settled log, as a service has."""
    mapper = make_mapper()
    maker = LogMaker(count, end or datetime.now(UTC))
    keys: dict[UUID, bytes] = {}  # each report's and action's data key, as the store makes them
    conn = await asyncpg.connect(dsn)
    try:
        rows: list[tuple[Any, ...]] = []
        for event in maker.events():
            key = None
            if sealed_paths(type(event)):
                key = keys.setdefault(event.originator_id, new_key())
            stored = mapper.to_stored_event(event, key)
            rows.append((stored.originator_id, stored.originator_version, stored.topic, stored.state, event.timestamp))
            if len(rows) == chunk:
                await _copy(conn, rows)
                rows = []
        if rows:
            await _copy(conn, rows)
        await conn.copy_records_to_table("data_keys", records=list(keys.items()), columns=("subject_id", "key"))
        # so that the first catch-up does not pay for the COPYs' aftermath (the batches read both tables)
        await settle(conn, "stored_events, data_keys")
        return int(await conn.fetchval("SELECT count(*) FROM stored_events"))
    finally:
        await conn.close()


async def settle(conn: asyncpg.Connection, table: str = "") -> None:
    """Vacuum and analyze `table` (default: every table), then checkpoint: what a running service's database has done.

    Tables filled in bulk moments ago would otherwise be vacuumed by autovacuum while a benchmark
    measures, and their pages read as not yet all-visible. A DATABASE_URL's user may not have
    the right to checkpoint; then the vacuum must do.
    """
    await conn.execute(f"VACUUM (ANALYZE) {table}")
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        await conn.execute("CHECKPOINT")


async def _copy(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    columns = ("originator_id", "originator_version", "topic", "state", "recorded_at")
    await conn.copy_records_to_table("stored_events", records=rows, columns=columns)


async def log_mix(dsn: str) -> str:
    """What the log holds, by kind of event."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT split_part(topic, ':', 2) AS kind, count(*) AS n FROM stored_events GROUP BY 1")
    finally:
        await conn.close()
    total = sum(r["n"] for r in rows)
    return ", ".join(
        f"{r['kind']} {r['n'] / total:.1%}" if r["n"] >= total / 1000 else f"{r['kind']} {r['n']}"
        for r in sorted(rows, key=lambda r: -r["n"])
    )
