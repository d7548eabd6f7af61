"""Tenants kept apart in the read models by PostgreSQL itself: row-level security on `tenant`.

The API's queries filter by the caller's tenant. Should one forget, the database still shows
it only the rows of the tenant its transaction was opened for (`tenant_connection`), and none
at all when no tenant was set (fail closed). Readers may not write at all.

The projection runners write every tenant's rows, so their transactions set
`lagesbild.all_tenants`. Any SQL on the service's connections could set it too: this wall
guards against a query that forgot its tenant filter, not against a compromised process, which
holds the service's credentials and could read every tenant's events in the log anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
from asyncpg.pool import PoolConnectionProxy

TENANT = "lagesbild.tenant"
"""The setting that names the tenant whose rows a transaction reads."""
ALL_TENANTS = "lagesbild.all_tenants"
"""The setting (`on`) under which a projection runner's transaction writes every tenant's rows."""
ALL_TENANTS_SQL = f"SELECT set_config('{ALL_TENANTS}', 'on', true)"
"""Run first in a runner's transaction: until its end, every tenant's rows may be read and written."""


def row_security_sql(schema: str, table: str) -> str:
    """Row-level security on one read-model table (with a `tenant` column) and its two policies."""
    name = f'{schema}."{table}"'
    # FORCE: the service role owns these tables, and an owner is otherwise exempt.
    return (
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;"
        f"CREATE POLICY tenant_reads ON {name} FOR SELECT USING (tenant = current_setting('{TENANT}', true));"
        f"CREATE POLICY projection_writes ON {name} USING (current_setting('{ALL_TENANTS}', true) = 'on');"
    )


@contextlib.asynccontextmanager
async def tenant_connection(pool: asyncpg.Pool, tenant: str) -> AsyncIterator[PoolConnectionProxy]:
    """A pooled connection in a read-only transaction (one snapshot) that sees `tenant`'s rows only.

    The setting is local to the transaction, so nothing of it stays on the pooled connection.
    """
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        await conn.execute(f"SELECT set_config('{TENANT}', $1, true)", tenant)
        yield conn
