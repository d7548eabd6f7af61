"""Rebuild a read model from position zero into a new generation, then switch readers to it."""

from __future__ import annotations

import logging

import asyncpg

from domain.codec import SealingMapper
from projections.generations import (
    Projection,
    activate,
    active_generation,
    create_generation,
    drop_generation,
    lock_key,
)
from projections.runner import ProjectionRunner

log = logging.getLogger(__name__)


async def rebuild(dsn: str, projection: Projection, mapper: SealingMapper) -> int:
    """Fill a new generation from position zero while readers keep the old one, then switch them.

    The switch happens once the new generation has reached the old one's position, checked
    with the old generation's row locked (its runner commits each batch by updating that
    row), so readers never see the picture go back in time. The live runner then notices that
    its generation is no longer active and follows the new one. The old generation is kept
    (for comparison or going back); generations older than it are dropped.
    """
    runner = ProjectionRunner(dsn, projection, mapper)
    conn = await asyncpg.connect(dsn)
    try:
        old = await active_generation(conn, projection.name)
        new = await create_generation(conn, projection)
        await conn.execute("SELECT pg_advisory_lock($1, $2)", lock_key(projection.name), new)
        while True:
            position = await runner.follow(conn, new, stop_at_head=True)
            async with conn.transaction():
                old_position = await conn.fetchval(
                    "SELECT position FROM projection_generations WHERE projection = $1 AND active FOR UPDATE",
                    projection.name,
                )
                if old_position is None or position >= old_position:
                    await activate(conn, projection, new)
                    break
        await conn.execute("SELECT pg_advisory_unlock_all()")
        for generation in await conn.fetch(
            "SELECT generation FROM projection_generations WHERE projection = $1 AND generation < $2",
            projection.name,
            old or 0,
        ):
            await drop_generation(conn, projection.name, generation[0])
        log.info("%s now reads from generation %d at position %d", projection.name, new, position)
        return new
    finally:
        await conn.close()
