"""The read log's retention: records older than the period are removed, by the schema's owner only.

The service's role may not delete (migration 0007 and 0009); this runs on the owner's connection
(`LAGESBILD_MIGRATION_DATABASE_URL`), from `lagesbild retention`, in batches so that no
transaction holds many rows.
"""

from __future__ import annotations

import asyncpg

_BATCH = 10_000
_DELETE = """
DELETE FROM read_log WHERE id IN (
    SELECT id FROM read_log WHERE read_at < now() - make_interval(days => $1) ORDER BY read_at LIMIT $2
)
"""


async def remove_expired_reads(owner: asyncpg.Connection, keep_days: int) -> int:
    """Remove the records older than `keep_days` (at least 30, as the table's trigger requires); how many."""
    if keep_days < 30:
        raise ValueError("the read log is kept at least 30 days")
    removed = 0
    while True:
        async with owner.transaction():
            await owner.execute("SELECT set_config('lagesbild.read_log_keep_days', $1, true)", str(keep_days))
            status = await owner.execute(_DELETE, keep_days, _BATCH)
        count = int(status.split()[-1])
        removed += count
        if count < _BATCH:
            return removed
