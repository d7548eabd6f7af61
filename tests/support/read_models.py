"""A read model's generation as data, to compare two (a live one and its rebuild) in tests."""

from __future__ import annotations

from typing import Any

from projections.generations import Connection


async def generation_contents(conn: Connection, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a generation (every tenant's rows, as its owner: outside row-level security), as sorted rows."""
    tables = await conn.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", schema
    )
    found = {}
    for (table,) in tables:
        rows = await conn.fetch(f'SELECT * FROM "{schema}"."{table}"')
        found[table] = sorted(tuple(sorted((k, str(v)) for k, v in dict(r).items())) for r in rows)
    return found
