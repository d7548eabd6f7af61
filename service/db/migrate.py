"""Schema management: apply the numbered SQL files in service/db/migrations once each, in order."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg
from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

_LOCK_KEY = 7013200466500  # advisory lock: only one process migrates at a time
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One SQL file: its version number, name and text."""

    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """All migrations shipped with the service, in version order."""
    found = []
    for entry in resources.files("service.db.migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    return found


def latest_version() -> int:
    """The version the schema has when every shipped migration is applied."""
    return max(m.version for m in available())


async def current_version(conn: asyncpg.Connection | PoolConnectionProxy) -> int:
    """The highest applied version (0 for an empty database)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))


class MigrationRefused(RuntimeError):
    """The schema is behind and this connection's role may not change it."""


async def migrate(conn: asyncpg.Connection) -> list[int]:
    """Apply what is missing, each migration in its own transaction; return what was applied.

    Safe when several processes start at once: they queue on an advisory lock and the later
    ones find nothing left to do. A current schema is left alone without taking the lock or
    changing anything, so the service's own role (which may not) can start on it.
    """
    # Only public: the service role may create schemas (read models), and one named after
    # this role would come first on the default search path ("$user") of these migrations.
    await conn.execute("SET search_path TO public")
    if await current_version(conn) >= latest_version():
        return []
    try:
        return await _apply_missing(conn)
    except asyncpg.InsufficientPrivilegeError as error:
        user = await conn.fetchval("SELECT current_user")
        raise MigrationRefused(
            f"the schema is at version {await current_version(conn)}, this service needs {latest_version()}, and"
            f" {user} may not change it ({error}): run `lagesbild migrate` with LAGESBILD_MIGRATION_DATABASE_URL"
            " set to the schema owner's connection"
        ) from error


async def _apply_missing(conn: asyncpg.Connection) -> list[int]:
    applied: list[int] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version int PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = await current_version(conn)
        for migration in available():
            if migration.version <= done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            log.info("applied migration %04d_%s", migration.version, migration.name)
            applied.append(migration.version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied
