"""The database roles: the schema's owner, the service's group role and the login that uses it.

Migrations run as the owner; the service connects as a login role that is a member of
`lagesbild_service`, which holds exactly the privileges the service needs (migration 0006).
In production the operator creates the roles (README); on a server we administer ourselves
(the embedded one, the tests' and benchmarks' servers) `ensure_database` creates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from projections.tenancy import READER

OWNER = "lagesbild_owner"
"""Owns the database and its schema; runs the migrations (embedded setup)."""
SERVICE = "lagesbild_service"
"""The group role (NOLOGIN) holding the service's privileges (migration 0006 names it)."""
LOGIN = "lagesbild_api"
"""The role the service logs in as (embedded setup): a member of SERVICE, acting as it."""

_BOOTSTRAP_LOCK = 7013200466501  # advisory lock: one process sets roles and databases up at a time

# `ALTER ROLE ... SET role` makes the login act as the group role from the start of every
# session, so that what the service creates (read-model schemas, views) belongs to the group
# role and any other member (a second login, `lagesbild project` elsewhere) can carry on with it.
_ROLES_SQL = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER}') THEN
        CREATE ROLE {OWNER} LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SERVICE}') THEN
        CREATE ROLE {SERVICE} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}') THEN
        CREATE ROLE {READER} NOLOGIN;
    END IF;
    IF NOT pg_has_role('{SERVICE}', '{READER}', 'MEMBER') THEN
        GRANT {READER} TO {SERVICE};
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{LOGIN}') THEN
        CREATE ROLE {LOGIN} LOGIN IN ROLE {SERVICE};
        ALTER ROLE {LOGIN} SET role = '{SERVICE}';
    END IF;
END
$$
"""


@dataclass(frozen=True)
class DatabaseUrls:
    """Where the service connects, and where migrations do (as the schema's owner)."""

    service: str
    migration: str


def with_user(dsn: str, user: str) -> str:
    """The same server and database, logging in as `user` (without a password: local trust)."""
    parts = urlsplit(dsn)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


async def ensure_roles(conn: asyncpg.Connection) -> None:
    """Create the owner, the group role and its login if missing (needs CREATEROLE)."""
    await conn.execute(_ROLES_SQL)


async def ensure_database(admin: asyncpg.Connection, name: str) -> bool:
    """Create the roles, and the database `name` owned by the owner, if missing; whether it was created."""
    await admin.execute("SELECT pg_advisory_lock($1)", _BOOTSTRAP_LOCK)
    try:
        await ensure_roles(admin)
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await admin.execute(f'CREATE DATABASE "{name}" OWNER {OWNER}')
        return True
    finally:
        await admin.execute("SELECT pg_advisory_unlock($1)", _BOOTSTRAP_LOCK)


def urls_for(database_dsn: str) -> DatabaseUrls:
    """The service's and the owner's URLs for the database that `database_dsn` (any user) points at."""
    return DatabaseUrls(service=with_user(database_dsn, LOGIN), migration=with_user(database_dsn, OWNER))
