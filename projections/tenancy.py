"""Tenants kept apart in the read models by PostgreSQL itself: row-level security on `tenant`.

The API's queries filter by the caller's tenant. Should one forget, the database still shows
it only the rows of the tenant its transaction was opened for (`tenant_connection`) or its
readers' connection was set to (`TenantReaders.statement`), and none at all when no tenant was
set (fail closed). Readers may not write at all.

A read's transaction acts as the role `lagesbild_reader`, which may only SELECT, and whose rows
are filtered by row-level security; the views it reads through check as the reader
(`security_invoker`). The projection runners, who own the tables, are outside it and write
every tenant's rows (by COPY, which PostgreSQL refuses under row-level security). Any SQL on the
service's connections could leave the reader role again: this wall guards against a query that
forgot its tenant filter, not against a compromised process, which holds the service's
credentials and could read every tenant's events in the log anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy

TENANT = "lagesbild.tenant"
"""The setting that names the tenant whose rows a transaction reads."""
READER = "lagesbild_reader"
"""The role a read's transaction acts as: SELECT on the read models, under row-level security."""
# The transaction's start, its role and its tenant in one round trip (a simple query of two
# statements; a statement with parameters could not carry the BEGIN). Both settings are local to
# the transaction: nothing stays on the pooled connection. The tenant goes in as hexadecimal
# digits, decoded by PostgreSQL, so no text of the caller's is ever part of the SQL.
_BEGIN_READ_AS_SQL = (
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
    f" SELECT set_config('role', '{READER}', true),"
    f" set_config('{TENANT}', convert_from(decode('{{}}', 'hex'), 'UTF8'), true)"
)


def row_security_sql(schema: str, table: str) -> str:
    """Row-level security on one read-model table (with a `tenant` column): readers see their tenant's rows."""
    name = f'{schema}."{table}"'
    # Not FORCE: the runner, the tables' owner, stays outside it (and may COPY into them).
    return (
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;"
        f"CREATE POLICY tenant_reads ON {name} FOR SELECT TO {READER}"
        f" USING (tenant = current_setting('{TENANT}', true));"
        f"GRANT SELECT ON {name} TO {READER};"
    )


@contextlib.asynccontextmanager
async def tenant_connection(pool: asyncpg.Pool, tenant: str) -> AsyncIterator[PoolConnectionProxy]:
    """A pooled connection in a read-only transaction (one snapshot) that sees `tenant`'s rows only.

    The settings are local to the transaction, so nothing of them stays on the pooled connection.
    """
    async with pool.acquire() as conn:
        await conn.execute(_BEGIN_READ_AS_SQL.format(tenant.encode().hex()))
        yield conn
        # After an error the pool's reset on release rolls back (or drops a broken connection).
        await conn.execute("COMMIT")


# The readers' pool: its connections act as the reader role, read only, for their whole
# session, and keep the tenant they were last set to. A read of one statement then takes one
# round trip (two if the connection last served another tenant) instead of three (BEGIN with
# the settings, the statement, COMMIT): measured, a sixth less CPU per area picture in the
# service and nearly a third less in PostgreSQL. One statement sees one snapshot, so it needs no
# transaction.
_READER_SESSION_SQL = f"SET ROLE {READER}; SET default_transaction_read_only = on"
_SET_TENANT_SQL = f"SELECT set_config('{TENANT}', $1, false)"


class ReaderConnection(asyncpg.Connection):
    """A connection of the readers' pool: the reader role for its whole session, and the tenant it is set to."""

    _tenant: str | None = None

    async def read_for(self, tenant: str) -> None:
        """See `tenant`'s rows only from now on; a round trip only if the connection saw another's."""
        if self._tenant == tenant:
            return
        self._tenant = None  # unknown until the server has confirmed the new setting
        await self.execute(_SET_TENANT_SQL, tenant)
        self._tenant = tenant


async def start_reader_session(conn: asyncpg.Connection) -> None:
    """The readers' pool's `init`: its new connection acts as the reader role, read only, for good."""
    await conn.execute(_READER_SESSION_SQL)


class TenantReaders:
    """The readers' pool (`ReaderConnection`s begun by `start_reader_session`), lent out for one tenant at a time."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @contextlib.asynccontextmanager
    async def statement(self, tenant: str) -> AsyncIterator[PoolConnectionProxy]:
        """A connection that sees `tenant`'s rows only, for a read of ONE statement (its own snapshot).

        Reads of several statements that must agree take `tenant_connection`: one transaction.
        """
        async with self._pool.acquire() as conn:
            await cast(ReaderConnection, conn).read_for(tenant)  # the pool's proxy passes the call on
            yield conn
