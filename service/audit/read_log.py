"""Who read what: read records are buffered in memory and written in batches, so no read waits on a disk."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import asyncpg
import msgspec

from projections.connections import DATABASE_ERRORS
from service.supervision import Supervisor

log = logging.getLogger(__name__)

_encode = msgspec.json.Encoder().encode
_SHUTDOWN_ERRORS: tuple[type[Exception], ...] = (*DATABASE_ERRORS, TimeoutError)
# A caller must not be able to fill the log with parameters the handlers ignore anyway:
_MAX_QUERY_BYTES = 4096  # of the query string, at most this much is looked at,
_MAX_PARAMS = 20  # of its parameters at most this many kept,
_MAX_CHARS = 200  # and each key and value cut at this length.
_COLUMNS = (
    "read_at",
    "tenant",
    "actor",
    "org",
    "roles",
    "resource",
    "resource_id",
    "route",
    "path_params",
    "query_params",
    "status",
)


class ReadRecord(NamedTuple):
    """One answered read: who, which resource by which route and parameters, when, the status. No body.

    Made in the request, so it holds what the request has at hand; `_row` makes it a table row.
    """

    read_at: datetime
    tenant: str
    actor: str
    org: str
    roles: Collection[str]
    resource: str
    resource_id: str | None
    route: str
    path_params: dict[str, Any]
    query_string: bytes
    status: int


def _row(record: ReadRecord) -> tuple[Any, ...]:
    # Sorting, parsing and encoding happen here, in the writer, not in the request; with
    # msgspec (ids become strings), as json.dumps would hold the event loop ~8x longer a batch.
    read_at, tenant, actor, org, roles, resource, resource_id, route, path_params, query_string, status = record
    return (
        read_at,
        tenant,
        actor,
        org,
        sorted(roles),
        resource,
        resource_id,
        route,
        _encode(path_params).decode(),
        _encode(query_params(query_string)).decode(),
        status,
    )


def query_params(query_string: bytes) -> dict[str, Any]:
    """The query parameters as sent (a repeated one as a list), bounded in number and length."""
    if not query_string:
        return {}
    params: dict[str, Any] = {}
    text = query_string[:_MAX_QUERY_BYTES].decode("utf-8", "replace")
    pairs = parse_qsl(text, keep_blank_values=True)
    for key, value in pairs[:_MAX_PARAMS]:
        key, value = key[:_MAX_CHARS], value[:_MAX_CHARS]
        if key not in params:
            params[key] = value
        elif isinstance(params[key], list):
            params[key].append(value)
        else:
            params[key] = [params[key], value]
    return params


class ReadLog:
    """The buffer between answered reads and the `read_log` table, and the task that empties it.

    `record()` only appends to a bounded in-memory buffer. A background task writes what has
    gathered every `interval` seconds, or sooner once `batch_size` records wait, in one COPY
    per batch on a connection of its own. If the database cannot take them, records wait (up
    to `capacity`); beyond that new ones are dropped, counted (`dropped`, in /metrics) and
    logged. `close()` writes what is left. A record whose commit was cut off by a lost
    connection can be written twice (at least once, never silently lost while buffered).
    """

    def __init__(self, dsn: str, *, capacity: int = 20_000, batch_size: int = 500, interval: float = 0.2) -> None:
        self._dsn, self.capacity, self.batch_size, self.interval = dsn, capacity, batch_size, interval
        self._buffer: deque[ReadRecord] = deque()
        self._in_flight = 0
        self.dropped = 0
        self.written = 0
        self._dropping = False
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def buffered(self) -> int:
        """Records waiting to be written (including a batch being written now)."""
        return len(self._buffer) + self._in_flight

    def record(self, record: ReadRecord) -> None:
        """Keep `record` for the next batch; never waits. A full buffer drops it and counts it."""
        if self.buffered >= self.capacity:
            self.dropped += 1
            if not self._dropping:
                self._dropping = True
                log.error("read log buffer full (%d records): dropping read records until it drains", self.capacity)
            return
        self._buffer.append(record)
        if len(self._buffer) >= self.batch_size:
            self._wake.set()

    def start(self, supervisor: Supervisor | None = None) -> None:
        """Start writing in the background (supervised, if given a supervisor: restarted should it fail)."""
        if supervisor is None:
            self._task = asyncio.create_task(self._run(), name="read-log-writer")
        else:
            self._task = supervisor.start("read-log-writer", self._run)

    async def flush(self) -> None:
        """Write every record buffered so far; raises if the database cannot take them (they stay buffered)."""
        async with self._lock:
            while self._buffer:
                await self._write_batch()

    async def close(self, grace: float = 5.0) -> None:
        """Stop the background task, write what is left (waiting at most `grace` seconds), close the connection."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, grace)
            except TimeoutError:
                log.warning("read log writer did not stop within %.0f s", grace)
        try:
            async with asyncio.timeout(grace):
                await self.flush()
        except _SHUTDOWN_ERRORS as error:
            lost = self.buffered
            self.dropped += lost
            log.error("read log: %d read records could not be written at shutdown: %s", lost, error)
        self._disconnect()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except Exception as error:  # keep recording through database faults (and anything else)
                failures += 1
                log.warning("read log: writing %d records failed (attempt %d): %s", self.buffered, failures, error)
                await asyncio.sleep(min(5.0, self.interval * 2**failures))  # back off while it is away
                continue
            if failures or self._dropping:
                log.warning("read log: writing again; %d records dropped so far", self.dropped)
            failures, self._dropping = 0, False

    async def _write_batch(self) -> None:
        batch = [self._buffer.popleft() for _ in range(min(self.batch_size, len(self._buffer)))]
        self._in_flight = len(batch)
        batch, rows = self._encoded(batch)
        try:
            conn = await self._connection()
            await conn.copy_records_to_table("read_log", records=rows, columns=_COLUMNS)  # one statement: all or none
        except BaseException as error:
            self._buffer.extendleft(reversed(batch))
            if not isinstance(error, asyncpg.PostgresError) or self._conn is None or self._conn.is_closed():
                self._disconnect()
            raise
        finally:
            self._in_flight = 0
        self.written += len(rows)

    def _encoded(self, batch: list[ReadRecord]) -> tuple[list[ReadRecord], list[tuple[Any, ...]]]:
        kept, rows = [], []
        for record in batch:
            try:
                rows.append(_row(record))
            except Exception:  # one record that cannot be encoded must not hold up the rest for ever
                self.dropped += 1
                log.exception("read log: dropping a record that cannot be encoded: %r", record)
            else:
                kept.append(record)
        return kept, rows

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            # synchronous_commit off: the reads these records describe were answered before
            # the batch began, so waiting for the WAL flush protects nothing a reader waits
            # for; a database crash loses at most the last few hundred ms of records, no more
            # than the buffer in this process holds anyway. Nor do these commits add flushes
            # of their own for the event store's appends to queue behind.
            self._conn = await asyncpg.connect(
                self._dsn,
                timeout=5,
                server_settings={"synchronous_commit": "off", "application_name": "lagesbild-read-log"},
            )
        return self._conn

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()
