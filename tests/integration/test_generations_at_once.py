"""Several processes start together on an empty database: one first generation per read model."""

from __future__ import annotations

import asyncio

import asyncpg

from projections.generations import ensure_active
from projections.registry import PROJECTIONS
from tests.support.database import SessionDatabase

STARTING = 8


async def _start(dsn: str) -> list[int]:
    """What a starting process does first: make sure each read model has an active generation."""
    conn = await asyncpg.connect(dsn)
    try:
        return [await ensure_active(conn, projection) for projection in PROJECTIONS.values()]
    finally:
        await conn.close()


async def test_processes_starting_together_make_one_generation_per_projection(
    own_database: SessionDatabase,
) -> None:
    for _round in range(3):  # a race that loses only sometimes must lose here
        admin = await asyncpg.connect(own_database.admin)
        try:
            for name in PROJECTIONS:
                await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
                for (schema,) in await admin.fetch(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{name}\\_g%"
                ):
                    await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await admin.execute("DELETE FROM projection_generations")
        finally:
            await admin.close()

        seen = await asyncio.gather(*(_start(own_database.service) for _ in range(STARTING)))

        assert seen == [[1] * len(PROJECTIONS)] * STARTING  # each saw the same, first generation
        admin = await asyncpg.connect(own_database.admin)
        try:
            rows = await admin.fetch("SELECT projection, generation, active FROM projection_generations")
            schemas = await admin.fetch("SELECT nspname FROM pg_namespace WHERE nspname ~ '_g[0-9]+$'")
        finally:
            await admin.close()
        assert sorted(tuple(r) for r in rows) == sorted((name, 1, True) for name in PROJECTIONS)
        assert sorted(s[0] for s in schemas) == sorted(f"{name}_g1" for name in PROJECTIONS)


async def test_a_generation_made_before_a_table_was_added_gets_it_empty_at_start(
    own_database: SessionDatabase,
) -> None:
    [generation, *_] = await _start(own_database.service)
    schema = f"picture_g{generation}"
    admin = await asyncpg.connect(own_database.admin)
    try:  # as a generation made before the picture kept boundaries
        await admin.execute(f'DROP TABLE "{schema}".boundaries CASCADE')
        assert await admin.fetchval("SELECT to_regclass('picture.boundaries')") is None
    finally:
        await admin.close()

    seen = await asyncio.gather(*(_start(own_database.service) for _ in range(STARTING)))

    assert {s[0] for s in seen} == {generation}  # no new generation: no rebuild
    admin = await asyncpg.connect(own_database.admin)
    try:
        assert await admin.fetchval("SELECT count(*) FROM picture.boundaries") == 0  # the view is back
        secured = await admin.fetchval(
            "SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass($1)", f'"{schema}".boundaries'
        )
        assert secured is True
    finally:
        await admin.close()
