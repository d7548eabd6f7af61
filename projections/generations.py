"""Generations of a read model: a schema each (picture_g2), the active one behind views (picture.*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from projections.tenancy import READER, row_security_sql

Connection = asyncpg.Connection | PoolConnectionProxy
COPY_FROM = 32
"""Rows from which a projection writes new rows by COPY: cheaper per row, but one round trip more."""


@dataclass(frozen=True)
class Recorded:
    """One stored event as a projection sees it: where it is in the log, when, and what."""

    position: int
    recorded_at: Any  # datetime
    originator_id: Any  # UUID
    version: int
    topic: str
    event: Any  # the decoded domain event


class Projection(Protocol):
    """A read model: its tables (DDL with `{schema}`), which of them readers see, how a batch applies."""

    name: str
    tables_sql: str
    tables: tuple[str, ...]

    async def apply(self, conn: Connection, schema: str, batch: list[Recorded]) -> None:
        """Apply the batch's changes (inside the runner's transaction)."""


def schema_of(projection: str, generation: int) -> str:
    """The schema a generation lives in, e.g. picture_g2."""
    return f"{projection}_g{generation}"


def lock_key(projection: str) -> int:
    """A stable advisory-lock key for a projection (the generation is the lock's second half)."""
    return int.from_bytes(projection.encode()[:4].ljust(4, b"_"), "big") & 0x7FFFFFFF


async def active_generation(conn: Connection, projection: str) -> int | None:
    """The generation readers see, or None before the first one exists."""
    value = await conn.fetchval(
        "SELECT generation FROM projection_generations WHERE projection = $1 AND active", projection
    )
    return int(value) if value is not None else None


async def create_generation(conn: Connection, projection: Projection) -> int:
    """A new, empty generation (not active yet): its schema, its tables, its checkpoint at 0."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", lock_key(projection.name))
        latest = await conn.fetchval(
            "SELECT coalesce(max(generation), 0) FROM projection_generations WHERE projection = $1", projection.name
        )
        generation = int(latest) + 1
        schema = schema_of(projection.name, generation)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
        await conn.execute(projection.tables_sql.format(schema=f'"{schema}"'))
        for table in await conn.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'tenant'",
            schema,
        ):
            await conn.execute(row_security_sql(f'"{schema}"', table[0]))
        await conn.execute(
            "INSERT INTO projection_generations (projection, generation) VALUES ($1, $2)", projection.name, generation
        )
    return generation


async def activate(conn: Connection, projection: Projection, generation: int) -> None:
    """Point the views (in the schema named after the projection) at `generation` and mark it active."""
    schema = schema_of(projection.name, generation)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", lock_key(projection.name))
        await conn.execute(
            "UPDATE projection_generations SET active = false WHERE projection = $1 AND active", projection.name
        )
        await conn.execute(
            "UPDATE projection_generations SET active = true WHERE projection = $1 AND generation = $2",
            projection.name,
            generation,
        )
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{projection.name}"')
        await conn.execute(f'GRANT USAGE ON SCHEMA "{projection.name}", "{schema}" TO {READER}')
        for table in projection.tables:
            await conn.execute(_view_sql(projection.name, schema, table))


def _view_sql(projection: str, schema: str, table: str) -> str:
    view = f'"{projection}"."{table}"'
    # security_invoker: the reader's row-level security applies through the view too.
    return (
        f"DROP VIEW IF EXISTS {view}; CREATE VIEW {view} WITH (security_invoker = true)"
        f' AS SELECT * FROM "{schema}"."{table}"; GRANT SELECT ON {view} TO {READER}'
    )


async def add_new_tables(conn: Connection, projection: Projection, generation: int) -> list[str]:
    """Create, empty, the tables the projection gained after `generation` was made; their names.

    A projection may say `added_tables_sql` (idempotent DDL with `{schema}`): tables whose events
    are all newer than the tables before them, so that an older generation needs them empty, not
    a rebuild. Anything else a projection changes still needs `lagesbild rebuild`.
    """
    sql: str = getattr(projection, "added_tables_sql", "")
    schema = schema_of(projection.name, generation)

    async def missing() -> list[str]:
        # the catalog read as a table (this statement's snapshot), not to_regclass (a cache a waiter may hold stale)
        there = await conn.fetch(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1", schema
        )
        return sorted(set(projection.tables) - {r["relname"] for r in there})

    if not sql or not await missing():
        return []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", lock_key(projection.name))
        added = await missing()  # another process may have added them meanwhile
        if added:
            await conn.execute(sql.format(schema=f'"{schema}"'))
            for table in added:
                await conn.execute(row_security_sql(f'"{schema}"', table))
                if await active_generation(conn, projection.name) == generation:
                    await conn.execute(_view_sql(projection.name, schema, table))
    return added


async def ensure_active(conn: Connection, projection: Projection) -> int:
    """The active generation (with the tables added since it was made), creating the first one if there is none.

    One first generation however many processes start together: the lock (the one creating
    and activating take, never a runner's: generations start at 1) is held, in one transaction,
    from the second look until the new generation is active.
    """
    generation = await active_generation(conn, projection.name)
    if generation is not None:
        await add_new_tables(conn, projection, generation)
        return generation
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", lock_key(projection.name))
        generation = await active_generation(conn, projection.name)
        if generation is None:
            generation = await create_generation(conn, projection)
            await activate(conn, projection, generation)
    return generation


async def drop_generation(conn: Connection, projection: str, generation: int) -> None:
    """Remove a generation that is no longer active (after a rebuild switched away from it)."""
    async with conn.transaction():
        active = await conn.fetchval(
            "SELECT active FROM projection_generations WHERE projection = $1 AND generation = $2",
            projection,
            generation,
        )
        if active:
            raise ValueError(f"{projection} generation {generation} is active")
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema_of(projection, generation)}" CASCADE')
        await conn.execute(
            "DELETE FROM projection_generations WHERE projection = $1 AND generation = $2", projection, generation
        )
