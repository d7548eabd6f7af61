"""Row-level security on the read models, as the service role: a wall between tenants behind the queries' filters."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from projections.generations import active_generation, schema_of
from projections.registry import PROJECTIONS
from projections.tenancy import READER, TENANT, TenantReaders, tenant_connection
from service.db.pools import create_pool, create_reader_pool
from tests.integration.api.conftest import Client, Token

OTHER = "vaxjo"
# Every view readers use (picture.areas, audit.entries ...).
VIEWS = [f"{p.name}.{t}" for p in PROJECTIONS.values() for t in p.tables]


async def _other_tenants_area(client: Client, auth: Token) -> tuple[str, int]:
    """An area of the tenant vaxjo, in both read models: its id and the position they reached."""
    response = await client.post(
        "/api/v1/areas",
        json={"code": f"omrade-{uuid.uuid4().hex[:8]}", "name": "Växjö centrum"},
        headers=auth("admin", org="kommunen", tenant=OTHER),
    )
    assert response.status_code == 201, response.text
    written = response.json()
    for url in ("/api/v1/picture", "/api/v1/audit"):
        read = await client.get(
            url, params={"min_position": written["position"]}, headers=auth("auditor", "coordinator", tenant=OTHER)
        )
        assert read.status_code == 200, read.text
    return str(written["id"]), int(written["position"])


async def test_a_query_that_forgot_its_tenant_filter_sees_only_the_tenant_it_was_opened_for(
    client: Client, auth: Token, area: str, pool: asyncpg.Pool
) -> None:
    other, _ = await _other_tenants_area(client, auth)
    async with tenant_connection(pool, OTHER) as conn:
        for view in VIEWS:
            assert {r[0] for r in await conn.fetch(f"SELECT DISTINCT tenant FROM {view}")} <= {OTHER}, view
        other_sees = {str(r[0]) for r in await conn.fetch("SELECT area_id FROM picture.areas")}
        entries = {str(r[0]) for r in await conn.fetch("SELECT aggregate_id FROM audit.entries")}
    async with tenant_connection(pool, "jonkoping") as conn:
        jonkoping_sees = {str(r[0]) for r in await conn.fetch("SELECT area_id FROM picture.areas")}
    assert (other in other_sees, area in other_sees) == (True, False)
    assert (other in entries, area in entries) == (True, False)
    assert (area in jonkoping_sees, other in jonkoping_sees) == (True, False)


async def test_a_reader_with_no_tenant_set_sees_nothing(
    client: Client, auth: Token, area: str, database_dsn: str
) -> None:
    await _other_tenants_area(client, auth)
    # One connection, so that the later transactions run where the first set its tenant.
    async with asyncpg.create_pool(database_dsn, min_size=1, max_size=1) as pool:
        async with tenant_connection(pool, "jonkoping") as conn:
            assert await conn.fetchval("SELECT count(*) FROM picture.areas") > 0
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL ROLE {READER}")  # nothing of the tenant set before is left
            for view in VIEWS:
                assert await conn.fetchval(f"SELECT count(*) FROM {view}") == 0, view
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL ROLE {READER}")
            await conn.execute(f"SELECT set_config('{TENANT}', '', true)")
            assert await conn.fetchval("SELECT count(*) FROM picture.reports") == 0


async def test_a_tenant_of_any_printable_text_is_set_exactly_and_never_read_as_sql(
    client: Client, auth: Token, area: str, pool: asyncpg.Pool
) -> None:
    await _other_tenants_area(client, auth)
    for tenant in ("jönköping", "o'hara", "x'); SELECT set_config('lagesbild.tenant', 'jonkoping', true); --", "a\\'b"):
        async with tenant_connection(pool, tenant) as conn:
            assert await conn.fetchval(f"SELECT current_setting('{TENANT}')") == tenant
            assert await conn.fetchval("SELECT current_user") == READER
            assert await conn.fetchval("SELECT count(*) FROM picture.areas") == 0, tenant


async def test_a_read_that_failed_leaves_neither_its_transaction_nor_its_role_on_the_connection(
    database_dsn: str,
) -> None:
    async with create_pool(database_dsn, max_size=1) as pool:  # the service's pool, with its light reset
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with tenant_connection(pool, "jonkoping") as conn:
                await conn.fetchval("SELECT 1 / 0")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT current_user") != READER
            assert not await conn.fetchval(f"SELECT current_setting('{TENANT}', true)")


async def test_a_reader_may_not_write_a_read_model_even_for_its_own_tenant(
    area: str, auth: Token, client: Client, pool: asyncpg.Pool
) -> None:
    await _other_tenants_area(client, auth)  # the picture has this test's area too: it is earlier
    for statement, args in (
        ("UPDATE picture.areas SET name = 'Fel' WHERE area_id = $1", [uuid.UUID(area)]),
        (
            "INSERT INTO picture.areas (area_id, tenant, code, name, retired, position)"
            " VALUES ($1, 'jonkoping', 'falsk', 'Falsk', false, 0)",
            [uuid.uuid4()],
        ),
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            async with tenant_connection(pool, "jonkoping") as conn:
                await conn.execute(statement, *args)


async def test_every_table_readers_see_is_under_row_level_security_for_them(
    client: Client, auth: Token, pool: asyncpg.Pool
) -> None:
    await _other_tenants_area(client, auth)  # both projections have an active generation
    guarded = {
        (r["schema"], r["table"])
        for r in await pool.fetch(
            "SELECT n.nspname AS schema, c.relname AS table FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'r' AND c.relrowsecurity"
            " AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd = 'r'"
            "   AND p.polroles = ARRAY[$1::regrole::oid])",
            READER,
        )
    }
    for projection in PROJECTIONS.values():
        async with pool.acquire() as conn:
            generation = await active_generation(conn, projection.name)
        assert generation is not None
        for table in projection.tables:
            assert (schema_of(projection.name, generation), table) in guarded
            view = f"{projection.name}.{table}"
            assert await pool.fetchval(
                "SELECT has_table_privilege($1, $2, 'SELECT') AND NOT has_table_privilege($1, $2, 'INSERT')"
                " AND NOT has_table_privilege($1, $2, 'UPDATE')",
                READER,
                view,
            ), view


async def test_a_readers_connection_sees_only_the_tenant_it_was_last_lent_for(
    client: Client, auth: Token, area: str, database_dsn: str
) -> None:
    other, _ = await _other_tenants_area(client, auth)
    async with create_reader_pool(database_dsn, 1) as pool:  # one connection, lent to each tenant in turn
        async with pool.acquire() as conn:  # not lent for a tenant yet: it sees nothing
            assert await conn.fetchval("SELECT current_user") == READER
            for view in VIEWS:
                assert await conn.fetchval(f"SELECT count(*) FROM {view}") == 0, view
        readers = TenantReaders(pool)
        for tenant, mine, theirs in ((OTHER, other, area), ("jonkoping", area, other), (OTHER, other, area)):
            async with readers.statement(tenant) as conn:
                seen = {str(r[0]) for r in await conn.fetch("SELECT area_id FROM picture.areas")}
                assert (mine in seen, theirs in seen) == (True, False), tenant
                for view in VIEWS:
                    assert {r[0] for r in await conn.fetch(f"SELECT DISTINCT tenant FROM {view}")} <= {tenant}, view


async def test_a_readers_connection_takes_any_tenant_exactly_may_not_write_and_outlives_a_failed_read(
    area: str, database_dsn: str
) -> None:
    async with create_reader_pool(database_dsn, 1) as pool:
        readers = TenantReaders(pool)
        for tenant in ("jönköping", "o'hara", "x'); SELECT set_config('lagesbild.tenant', 'jonkoping', false); --"):
            async with readers.statement(tenant) as conn:
                assert await conn.fetchval(f"SELECT current_setting('{TENANT}')") == tenant
                assert await conn.fetchval("SELECT count(*) FROM picture.areas") == 0, tenant
        with pytest.raises((asyncpg.ReadOnlySQLTransactionError, asyncpg.InsufficientPrivilegeError)):
            async with readers.statement("jonkoping") as conn:
                await conn.execute("UPDATE picture.areas SET name = 'Fel' WHERE area_id = $1", uuid.UUID(area))
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with readers.statement("jonkoping") as conn:
                await conn.fetchval("SELECT 1 / 0")
        async with readers.statement("jonkoping") as conn:  # the failures left it as it was
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT current_user") == READER
            assert area in {str(r[0]) for r in await conn.fetch("SELECT area_id FROM picture.areas")}
