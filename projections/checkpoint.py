"""The runner's own writes: a batch and its checkpoint in one transaction, a failure recorded at its event."""

from __future__ import annotations

import logging

import asyncpg

from projections.generations import Projection, Recorded, schema_of
from projections.log_batches import Undecodable

log = logging.getLogger(__name__)
PROGRESS_CHANNEL = "projection_progress"
"""Where a commit on the active generation is announced (`projection:generation:position`)."""


async def commit(
    conn: asyncpg.Connection,
    projection: Projection,
    generation: int,
    batch: list[Recorded],
    last: int,
    *,
    durable: bool = True,
) -> bool:
    """Apply and checkpoint in one transaction; whether the generation is (still) the active one.

    Catching up (`durable` false), a commit does not wait for its flush: a crash of the
    database may lose the last batches, but their checkpoint with them (one transaction),
    and the runner applies them again. Following the log, every commit is flushed first, so
    that a picture a reader has seen never goes back.
    """
    for recorded in batch:
        if isinstance(recorded.event, Undecodable):
            raise recorded.event.error
    async with conn.transaction():
        if not durable:
            await conn.execute("SET LOCAL synchronous_commit = off")
        if batch:
            await projection.apply(conn, f'"{schema_of(projection.name, generation)}"', batch)
        active = await conn.fetchval(
            "UPDATE projection_generations SET position = $3, updated_at = now()"
            " WHERE projection = $1 AND generation = $2 RETURNING active",
            projection.name,
            generation,
            last,
        )
        if active:  # readers wait on the active generation only (read your writes)
            progress = f"{projection.name}:{generation}:{last}"
            await conn.execute("SELECT pg_notify($1, $2)", PROGRESS_CHANNEL, progress)
    return bool(active)


async def record_failure(
    conn: asyncpg.Connection, projection: str, generation: int, at: Recorded, error: Exception
) -> str:
    """Stop the generation at the event that could not be applied (until it is rebuilt); the failure's text."""
    failure = (
        f"event at position {at.position} ({at.topic} of {at.originator_id} version {at.version})"
        f" could not be applied: {error!r}"
    )
    log.error("projection %s stopped: %s", projection, failure)
    await conn.execute(
        "UPDATE projection_generations SET failure = $3, failed_at_position = $4, updated_at = now()"
        " WHERE projection = $1 AND generation = $2",
        projection,
        generation,
        failure,
        at.position,
    )
    return failure


async def analyze(conn: asyncpg.Connection, projection: str, generation: int) -> None:
    """Show the planner a generation's tables as they are now (which also re-plans the statements cached so far).

    A catch-up fills the tables from empty; a plan cached while one was tiny (a sequential
    scan) would otherwise stay in use once it is large (seen: a 35,000-row table scanned for
    every batch, a sixth of a catch-up's time). Autovacuum's ANALYZE comes too late for that.
    """
    schema = schema_of(projection, generation)
    tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    if tables:
        await conn.execute("ANALYZE " + ", ".join(f'"{schema}"."{t[0]}"' for t in tables))
