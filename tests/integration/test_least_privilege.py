"""Least privilege: the service's role reads and appends events, and may change neither them nor the schema."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from service.db.location import with_database
from service.db.migrate import MigrationRefused, migrate
from service.db.roles import LOGIN, OWNER, SERVICE, ensure_database, urls_for
from service.db.scratch import drop_database
from service.store.event_store import EventStore
from tests.support.aggregates import Tally

# Table privileges of the service role in public (migrations 0006, 0007, 0010), beyond which it has none.
NEEDED = {
    ("stored_events", "SELECT"),
    ("stored_events", "INSERT"),
    ("append_idempotency", "SELECT"),
    ("append_idempotency", "INSERT"),
    ("schema_migrations", "SELECT"),
    ("projection_generations", "SELECT"),
    ("projection_generations", "INSERT"),
    ("projection_generations", "DELETE"),
    ("event_chain", "SELECT"),
    ("chain_heads", "SELECT"),
    ("chain_verifications", "SELECT"),  # the last verified link: kept by the service, never deleted
    ("chain_verifications", "INSERT"),
    ("chain_verifications", "UPDATE"),
    ("data_keys", "SELECT"),
    ("data_keys", "INSERT"),
    ("read_log", "SELECT"),
    ("read_log", "INSERT"),
}
_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


async def test_the_suite_runs_as_the_service_login_acting_as_the_service_role(pool: asyncpg.Pool) -> None:
    row = await pool.fetchrow(
        "SELECT session_user AS login, current_user AS acting, r.rolsuper, r.rolbypassrls, r.rolcreaterole"
        " FROM pg_roles r WHERE r.rolname = session_user"
    )
    assert row is not None
    assert (row["login"], row["acting"]) == (LOGIN, SERVICE)
    assert (row["rolsuper"], row["rolbypassrls"], row["rolcreaterole"]) == (False, False, False)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE stored_events SET topic = 'x' WHERE originator_id = $1",
        "DELETE FROM stored_events WHERE originator_id = $1",
        "TRUNCATE stored_events",
    ],
)
async def test_the_service_role_may_not_change_or_remove_an_event(
    store: EventStore, pool: asyncpg.Pool, statement: str
) -> None:
    tally = Tally("Öxnehaga")
    await store.append(tally.collect_events(), expected_version=0)
    args = [tally.id] if "$1" in statement else []
    with pytest.raises(asyncpg.InsufficientPrivilegeError) as refused:
        await pool.execute(statement, *args)
    # Refused for want of the privilege, before the immutability trigger is reached (whose
    # SQLSTATE is the same: its message is "stored events are immutable ...").
    assert refused.value.sqlstate == "42501"
    assert refused.value.args[0] == "permission denied for table stored_events"
    assert (await store.load(tally.id)).name == "Öxnehaga"


async def test_the_service_role_holds_the_table_privileges_it_needs_and_no_others(pool: asyncpg.Pool) -> None:
    held = {
        (r["table"], r["privilege"])
        for r in await pool.fetch(
            "SELECT t.tablename AS table, p.privilege FROM pg_tables t, unnest($1::text[]) AS p(privilege)"
            " WHERE t.schemaname = 'public' AND has_table_privilege($2, format('public.%I', t.tablename), p.privilege)",
            list(_PRIVILEGES),
            SERVICE,
        )
    }
    assert held == NEEDED
    updatable = {
        r[0]
        for r in await pool.fetch(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'projection_generations'::regclass AND attnum > 0"
            " AND has_column_privilege($1, attrelid, attnum, 'UPDATE')",
            SERVICE,
        )
    }
    assert updatable == {"position", "active", "failed_at_position", "failure", "updated_at"}
    assert await pool.fetchval(
        "SELECT has_function_privilege($1, 'lagesbild_append(uuid[], bigint[], text[], bytea[], bytea[], int[],"
        " bigint[], text[], bytea[])', 'EXECUTE') AND NOT has_function_privilege($2, 'lagesbild_append(uuid[],"
        " bigint[], text[], bytea[], bytea[], int[], bigint[], text[], bytea[])', 'EXECUTE')",
        SERVICE,
        "public",
    )


async def test_the_service_role_may_not_create_anything_in_public(pool: asyncpg.Pool) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for schema public"):
        await pool.execute("CREATE TABLE public.stray (n int)")


async def test_the_service_role_may_not_migrate_and_says_who_may(admin_dsn: str) -> None:
    server = with_database(admin_dsn, "postgres")
    name = f"lagesbild_unmigrated_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server)
    try:
        assert await ensure_database(admin, name)
        assert not await ensure_database(admin, name)  # there already
        owner = await admin.fetchval("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name)
        assert owner == OWNER
    finally:
        await admin.close()
    conn = await asyncpg.connect(urls_for(with_database(server, name)).service)
    try:
        with pytest.raises(MigrationRefused, match="LAGESBILD_MIGRATION_DATABASE_URL") as refused:
            await migrate(conn)
        assert "at version 0" in str(refused.value)
    finally:
        await conn.close()
        await drop_database(with_database(server, name))


async def test_on_a_current_schema_the_service_role_starts_without_migrating(database_dsn: str) -> None:
    conn = await asyncpg.connect(database_dsn)
    try:
        assert await migrate(conn) == []
    finally:
        await conn.close()
