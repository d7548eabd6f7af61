"""The hash chain: every tenant's events chained in log order, and tampering found at its position."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from domain.actor import Actor
from domain.area import Area
from domain.report import Report
from service.store.chain import Head, heads, verify
from service.store.event_store import EventStore
from tests.support.aggregates import Tally
from tests.support.database import SessionDatabase

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
JONKOPING = Actor("polis-1", "polisen", "jonkoping")
VAXJO = Actor("polis-2", "polisen", "vaxjo")


async def _fill(store: EventStore) -> dict[str, list[int]]:
    """Events of two tenants interleaved, by single appends and by groups; their positions per tenant."""
    positions: dict[str, list[int]] = {"jonkoping": [], "vaxjo": []}
    for actor in (JONKOPING, VAXJO):
        area = Area.define(actor, "centrum", "Centrum")
        positions[actor.tenant].append((await store.append(area.collect_events(), 0)).position)
    for n in range(6):
        actor = (JONKOPING, VAXJO)[n % 2]
        report = Report.submit(
            actor, now=NOW, area_id=Area.create_id(actor.tenant, "centrum"), category="klotter", week="2026-W47"
        )
        report.correct(actor, {"count": 2 + n}, "räknade fel", NOW)
        result = await store.append(report.collect_events(), 0)
        positions[actor.tenant] += [result.position - 1, result.position]
    return positions


async def _superuser(database: SessionDatabase, sql: str, *args: object) -> None:
    """Run `sql` behind the service's back, as a superuser, with the immutability triggers out of the way."""
    conn = await asyncpg.connect(database.admin)
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE stored_events DISABLE TRIGGER USER")
            await conn.execute(sql, *args)
            await conn.execute("ALTER TABLE stored_events ENABLE TRIGGER USER")
    finally:
        await conn.close()


async def test_each_tenant_has_an_unbroken_chain_ending_at_its_head(own_store: EventStore) -> None:
    positions = await _fill(own_store)
    async with own_store.pool.acquire() as conn:
        for tenant, mine in positions.items():
            result = await verify(conn, tenant)
            assert result.ok, result
            assert result.checked == len(mine)
            assert result.head is not None
            assert result.head.position == mine[-1]
            assert [result.head] == await heads(conn, tenant)
        assert (await verify(conn, "no-such-tenant")).as_dict() == {
            "ok": True, "checked": 0, "head": None, "first_mismatch": None, "problem": None, "verified_from": 0,
        }  # fmt: skip


async def test_an_edited_event_is_named_by_its_position(own_store: EventStore, own_database: SessionDatabase) -> None:
    positions = await _fill(own_store)
    target = positions["jonkoping"][3]
    await _superuser(
        own_database,
        "UPDATE stored_events SET state = convert_to(replace(convert_from(state, 'UTF8'), '\"count\"', '\"count\" '),"
        " 'UTF8') WHERE notification_id = $1",
        target,
    )
    async with own_store.pool.acquire() as conn:
        result = await verify(conn, "jonkoping")
        assert (result.ok, result.first_mismatch, result.checked) == (False, target, 3)
        assert result.problem == "the stored record does not match its link"
        assert (await verify(conn, "vaxjo")).ok  # the other tenant's chain is untouched


async def test_a_removed_or_unlinked_event_is_found(own_store: EventStore, own_database: SessionDatabase) -> None:
    positions = await _fill(own_store)
    removed = positions["vaxjo"][2]
    await _superuser(own_database, "DELETE FROM stored_events WHERE notification_id = $1", removed)
    async with own_store.pool.acquire() as conn:
        result = await verify(conn, "vaxjo")
        assert (result.ok, result.first_mismatch) == (False, removed)
        assert result.problem == "the event at this position is missing"

        admin = await asyncpg.connect(own_database.admin)
        await admin.execute("ALTER TABLE stored_events DISABLE TRIGGER stored_events_chain")
        tally = Tally("Råslätt")
        await own_store.append(tally.collect_events(), 0)  # stored without a link
        await admin.execute("ALTER TABLE stored_events ENABLE TRIGGER stored_events_chain")
        await admin.close()
        unlinked = await own_store.head()
        result = await verify(conn, "jonkoping")
        assert (result.ok, result.first_mismatch) == (False, unlinked)
        assert result.problem == "an event was stored without a link"


async def test_a_rewritten_tail_is_caught_by_the_head_kept_outside(
    own_store: EventStore, own_database: SessionDatabase
) -> None:
    await _fill(own_store)
    async with own_store.pool.acquire() as conn:
        [kept] = await heads(conn, "jonkoping")
        assert (await verify(conn, "jonkoping", expected_head=kept)).ok
        # Later events chain on; the kept head is still passed.
        report = Report.submit(
            JONKOPING, now=NOW, area_id=Area.create_id("jonkoping", "centrum"), category="brand", week="2026-W47"
        )
        await own_store.append(report.collect_events(), 0)
        assert (await verify(conn, "jonkoping", expected_head=kept)).ok
        # Someone with full access removes the last events of the tenant and rewinds the head
        # to match: the chain alone still holds, the head kept outside does not.
        earlier = await conn.fetchrow(
            "SELECT position, link FROM event_chain WHERE tenant = 'jonkoping' AND position < $1"
            " ORDER BY position DESC LIMIT 1",
            kept.position,
        )
        assert earlier is not None
        await _superuser(own_database, "DELETE FROM stored_events WHERE notification_id >= $1", kept.position)
        await _superuser(
            own_database, "DELETE FROM event_chain WHERE tenant = 'jonkoping' AND position >= $1", kept.position
        )
        await _superuser(
            own_database,
            "UPDATE chain_heads SET position = $1, link = $2 WHERE tenant = 'jonkoping'",
            earlier["position"],
            earlier["link"],
        )
        assert (await verify(conn, "jonkoping")).ok
        result = await verify(conn, "jonkoping", expected_head=kept)
        assert (result.ok, result.first_mismatch) == (False, kept.position)
        assert result.problem == "the kept head is no longer in the chain"
        forged = Head("jonkoping", earlier["position"], "00" * 32)
        assert (await verify(conn, "jonkoping", expected_head=forged)).first_mismatch == earlier["position"]


async def _cli(dsn: str, *args: str) -> tuple[int, str]:
    """Run `lagesbild ...` as the operator would, on the database at `dsn`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *args,
        env={**os.environ, "DATABASE_URL": dsn}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_the_operator_exports_the_heads_and_verifies_against_them(
    own_store: EventStore, own_dsn: str, own_database: SessionDatabase, tmp_path: Path
) -> None:
    positions = await _fill(own_store)
    code, out = await _cli(own_dsn, "audit", "head")
    assert code == 0
    kept = tmp_path / "heads.json"
    kept.write_text(out)
    assert {h["tenant"]: h["position"] for h in json.loads(out)} == {t: p[-1] for t, p in positions.items()}

    code, out = await _cli(own_dsn, "audit", "verify", "--head", str(kept))
    assert (code, {t: r["ok"] for t, r in json.loads(out).items()}) == (0, {"jonkoping": True, "vaxjo": True})

    target = positions["vaxjo"][1]
    await _superuser(own_database, "UPDATE stored_events SET topic = topic || ' ' WHERE notification_id = $1", target)
    code, out = await _cli(own_dsn, "audit", "verify", "--head", str(kept))
    results = json.loads(out)
    assert code == 1
    assert results["jonkoping"]["ok"] is True
    assert (results["vaxjo"]["ok"], results["vaxjo"]["first_mismatch"]) == (False, target)
