"""Appends in doubt: the writer's connection broke after an append was sent; was it stored.

A commit whose answer is lost (the server shut down or crashed while it flushed, the network
broke, a statement timed out) may have happened. Before its caller is answered, the writer
finds out on a new connection: first it makes sure the server process that ran the append is
gone (ended by the shutdown, or terminated from here), so that the transaction cannot commit
after we looked; then an append was stored if the record at its aggregate's last version
holds exactly its topic and state. Only errors pay for this; the hot path is unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from eventsourcing.persistence import StoredEvent

from projections.connections import CONNECTION_ERRORS, Limits, connect
from service.store.appends import AppendResult, PendingAppend, StoreUnavailable

log = logging.getLogger(__name__)

_STORED_SQL = """
SELECT a.n, s.notification_id FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bytea[])
    WITH ORDINALITY AS a(originator_id, version, topic, state, n)
JOIN stored_events s ON s.originator_id = a.originator_id AND s.originator_version = a.version
    AND s.topic = a.topic AND s.state = a.state
"""
_GONE_SQL = "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2)"
# Waits (up to the given milliseconds) until the process has ended, its transaction decided.
_TERMINATE_SQL = "SELECT pg_terminate_backend(pid, $3) FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2"
_RETRY_SECONDS = 0.1  # between attempts to reach a database that is restarting
# The login may act as a group role by default (ALTER ROLE ... SET role, see the README): the
# writer's connections act as the login itself, which alone may see its own processes'
# details in pg_stat_activity and end them.
_AS_LOGIN_SQL = "SET ROLE NONE"  # (RESET ROLE would restore that default)
MAYBE_STORED = (
    "the database went away while this was written, and could not be asked in time whether it was stored:"
    " it may have been. Retry with the same Idempotency-Key (a change: with If-Match), so it is not stored twice"
)


@dataclass(frozen=True)
class Backend:
    """The server process behind a connection: its pid, and its start (a pid alone may be reused)."""

    pid: int
    started: datetime | None
    """None if the connection's role may not see its own process (then no append can be settled)."""


class WriterConnection:
    """One of the writer's connections, opened again on demand after the database went away."""

    def __init__(self, dsn: str, limits: Limits) -> None:
        self.dsn, self.limits = dsn, limits
        self.conn: asyncpg.Connection | None = None
        self.backend: Backend | None = None

    async def get(self) -> asyncpg.Connection:
        """The open connection; a new one if there is none (raises CONNECTION_ERRORS)."""
        if self.conn is None or self.conn.is_closed():
            self.conn = None
            conn = await connect(self.dsn, self.limits)
            try:
                await conn.execute(_AS_LOGIN_SQL)
                started = await conn.fetchval("SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            except BaseException:
                conn.terminate()
                raise
            self.conn, self.backend = conn, Backend(conn.get_server_pid(), started)
        return self.conn

    def lost(self) -> Backend:
        """The connection broke mid-append: drop it (the next append reconnects); which process ran it."""
        assert self.backend is not None, "an append was sent, so the connection was open"
        if self.conn is not None:
            self.conn.terminate()
        self.conn = None
        return self.backend

    async def close(self) -> None:
        """Disconnect."""
        if self.conn is not None:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await self.conn.close(timeout=self.limits.connect_seconds)


async def settle(dsn: str, limits: Limits, within: float, backend: Backend, appends: list[PendingAppend]) -> None:
    """Answer appends in doubt, sent by `backend`, once it is known whether they were stored."""
    appends = [a for a in appends if not a.future.done()]  # a caller may have given up
    records = [a.records[-1] for a in appends]
    try:
        found = await stored_positions(dsn, limits, within, backend, records)
    except Exception:
        log.exception("could not find out whether %d appends were stored", len(records))
        found = None
    for append, record, position in zip(appends, records, found or [None] * len(records), strict=True):
        if append.future.done():
            continue
        if found is None:
            append.future.set_exception(StoreUnavailable(MAYBE_STORED, maybe_stored=True))
        elif position is None:
            error = StoreUnavailable("the database went away while this was written; nothing was stored")
            append.future.set_exception(error)
        else:
            append.future.set_result(AppendResult(append.originator_id, record.originator_version, position))


async def stored_positions(
    dsn: str, limits: Limits, within: float, backend: Backend, last_records: Sequence[StoredEvent]
) -> list[int | None] | None:
    """For the last record of each append in doubt: the position it was stored at, or None if it was not.

    None instead of a list if that could not be found out within `within` seconds.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    log.info("finding out whether %d appends were stored (waiting up to %.1f s)", len(last_records), within)
    while True:
        try:
            async with asyncio.timeout_at(deadline):
                return await _ask(dsn, limits, backend, last_records)
        except CONNECTION_ERRORS as error:  # TimeoutError (the deadline) is one of them
            if loop.time() >= deadline:
                log.error("could not find out within %.1f s whether %d appends were stored", within, len(last_records))
                return None
            log.debug("waiting for the database to find out whether appends were stored: %s", error)
            await asyncio.sleep(min(_RETRY_SECONDS, max(0.0, deadline - loop.time())))
        except asyncpg.PostgresError as error:  # not allowed to end the process, say: no use retrying
            log.error("could not find out whether %d appends were stored: %s", len(last_records), error)
            return None


async def _ask(dsn: str, limits: Limits, backend: Backend, records: Sequence[StoredEvent]) -> list[int | None]:
    if backend.started is None:  # its process cannot be told apart from another: it cannot be ended safely
        raise asyncpg.InsufficientPrivilegeError("the writer's own process is not visible in pg_stat_activity")
    conn = await connect(dsn, limits)
    try:
        await conn.execute(_AS_LOGIN_SQL)
        while not await conn.fetchval(_GONE_SQL, backend.pid, backend.started):
            # The server did not end it (a network fault, a timeout): it might still commit.
            await conn.fetchval(_TERMINATE_SQL, backend.pid, backend.started, 1000)
        rows = await conn.fetch(
            _STORED_SQL,
            [r.originator_id for r in records],
            [r.originator_version for r in records],
            [r.topic for r in records],
            [r.state for r in records],
        )
    finally:
        with contextlib.suppress(*CONNECTION_ERRORS):
            await conn.close(timeout=limits.connect_seconds)
    positions: list[int | None] = [None] * len(records)
    for row in rows:
        positions[row["n"] - 1] = int(row["notification_id"])
    return positions
