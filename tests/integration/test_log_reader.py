"""The log reader: a complete batch decoded once for every runner, the head read again, poison named."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent

from domain.actor import Actor
from domain.area import Area
from domain.codec import SealingMapper, make_mapper, make_transcoder
from domain.report import Report
from projections.audit.projection import AuditProjection
from projections.generations import ensure_active
from projections.log_reader import LogReader
from projections.picture.projection import PictureProjection
from projections.runner import ProjectionFailed, ProjectionRunner
from service.store.event_store import EventStore

POLICE = Actor("polis-1", "polisen", "jonkoping")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class _CountingMapper(SealingMapper):
    """The service's mapper, counting the events it decodes."""

    def __init__(self) -> None:
        super().__init__(make_transcoder())
        self.decoded = 0

    def to_domain_event(self, stored_event: StoredEvent, key: bytes | None = None) -> DomainEventProtocol[UUID]:
        self.decoded += 1
        return super().to_domain_event(stored_event, key)


async def _submit(store: EventStore, area: Area) -> int:
    report = Report.submit(POLICE, now=NOW, area_id=area.id, category="klotter", week="2026-W48", place="Torget")
    return (await store.append(report.collect_events(), 0)).position


async def _area_with_reports(store: EventStore, reports: int) -> tuple[Area, int, int]:
    """An area and its reports appended: the area, the position before them, the last position."""
    area = Area.define(POLICE, "raslatt", "Råslätt")
    start = (await store.append(area.collect_events(), 0)).position - 1
    head = start + 1
    for _ in range(reports):
        head = await _submit(store, area)
    return area, start, head


async def test_complete_batches_are_decoded_once_and_the_head_of_the_log_is_read_again(
    own_dsn: str, own_store: EventStore
) -> None:
    area, start, head = await _area_with_reports(own_store, 6)
    mapper = _CountingMapper()
    reader = LogReader(own_dsn, mapper, keep=3)
    try:
        with reader.following(), reader.following():  # two runners, as in the service
            first = await reader.read(start, 4)
            assert [e.position for e in first.events] == list(range(start + 1, start + 5))
            assert first.events[1].event.place == "Torget"  # its free text opened
            assert await reader.read(start, 4) is first  # a second runner asking: no second read
            together = await asyncio.gather(reader.read(first.last, 2), reader.read(first.last, 2))
            assert together[0] is together[1]  # asked at once: read once
            assert mapper.decoded == 6

            at_head = await reader.read(head - 1, 10)  # short: the head of the log
            assert (at_head.rows, at_head.last) == (1, head)
            newer = await _submit(own_store, area)
            again = await reader.read(head - 1, 10)
            assert (again.rows, again.last) == (2, newer)  # read again, and it has grown
            assert mapper.decoded == 9

            for after in range(start, start + 4):  # four complete batches: the first is no longer kept
                await reader.read(after, 1)
            decoded = mapper.decoded
            await reader.read(start + 1, 1)
            assert mapper.decoded == decoded  # kept
            await reader.read(start, 1)
            assert mapper.decoded == decoded + 1  # not kept: read again
        with reader.following():  # one runner (a rebuild): nothing is kept for others
            alone = await reader.read(start, 2)
            assert await reader.read(start, 2) is not alone
    finally:
        await reader.close()


async def test_a_runner_ahead_waits_before_pushing_out_a_batch_another_has_yet_to_take(
    own_dsn: str, own_store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, start, _ = await _area_with_reports(own_store, 9)
    reader = LogReader(own_dsn, _CountingMapper(), keep=2)
    try:
        with reader.following() as leader, reader.following() as laggard:
            monkeypatch.setattr("projections.log_reader.OTHERS_SECONDS", 60.0)  # longer than the test may take
            first = await reader.read(start, 1, leader)
            assert await reader.read(start, 1, laggard) is first  # both have it: no longer kept
            second = await reader.read(first.last, 1, leader)
            third = await reader.read(second.last, 1, leader)  # kept: 2, both ahead of the laggard
            fourth = asyncio.create_task(reader.read(third.last, 1, leader))
            for _ in range(20):  # the loop turns; the leader stays put
                await asyncio.sleep(0)
            assert not fourth.done()
            assert await reader.read(first.last, 1, laggard) is second  # taken: the leader goes on
            await fourth
            assert await reader.read(second.last, 1, laggard) is third  # never pushed out, never read again

            monkeypatch.setattr("projections.log_reader.OTHERS_SECONDS", 0.05)
            after = (await fourth).last
            for _ in range(3):  # the laggard stops moving: the leader waits a moment per batch at most
                after = (await reader.read(after, 1, leader)).last
            assert after == start + 7

        monkeypatch.setattr("projections.log_reader.OTHERS_SECONDS", 60.0)
        with reader.following() as one, reader.following() as other:
            async with asyncio.timeout(30):  # batches of their own (not the same bounds): nobody waits
                await reader.read(start + 1, 2, other)
                position = start
                for _ in range(4):
                    position = (await reader.read(position, 2, one)).last
            assert position == start + 8
    finally:
        await reader.close()


async def test_an_event_that_cannot_be_decoded_stops_the_projection_at_it(own_dsn: str, own_store: EventStore) -> None:
    area = Area.define(POLICE, "raslatt", "Råslätt")
    await own_store.append(area.collect_events(), 0)
    before = await _submit(own_store, area)
    broken = await own_store.pool.fetchval(  # a known type whose state holds a value of a type nobody registered
        "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
        " VALUES (gen_random_uuid(), 1, 'domain.report:Report.Submitted', $1) RETURNING notification_id",
        b'{"timestamp": {"_type_": "sundial_reading", "_data_": "noon"}}',
    )
    await _submit(own_store, area)
    conn = await asyncpg.connect(own_dsn)
    try:
        generation = await ensure_active(conn, PictureProjection())
        runner = ProjectionRunner(own_dsn, PictureProjection(), make_mapper(), batch_size=2)
        with pytest.raises(ProjectionFailed, match=f"position {broken} .*Report.Submitted.*could not be applied"):
            await runner.follow(conn, generation, stop_at_head=True)
        row = await conn.fetchrow("SELECT position, failed_at_position FROM projection_generations")
        assert row is not None
        assert (row["position"], row["failed_at_position"]) == (before, broken)  # all before it applied
    finally:
        await conn.close()


async def test_a_short_batch_read_for_one_runner_serves_the_others_at_the_head_while_it_is_fresh(
    own_dsn: str, own_store: EventStore
) -> None:
    _, start, head = await _area_with_reports(own_store, 6)
    mapper = _CountingMapper()
    fresh, stale = LogReader(own_dsn, mapper, head_seconds=3600), LogReader(own_dsn, mapper, head_seconds=-1)
    try:
        with fresh.following() as one, fresh.following() as other:
            read = await fresh.read(start, 100, one)  # short: the area and its six reports
            assert (read.rows, read.last, mapper.decoded) == (7, head, 7)
            same = await fresh.read(start, 100, other)
            assert [e.position for e in same.events] == [e.position for e in read.events]
            assert (same.last, same.started) == (head, read.started)  # when it was read: the runner's check
            inside = await fresh.read(start + 3, 100, other)  # a runner whose position lies in it
            assert [e.position for e in inside.events] == list(range(start + 4, head + 1))
            assert mapper.decoded == 7  # neither read nor decoded again
            at_head = await fresh.read(head, 100, one)  # nothing in it after the head: read
            assert (at_head.rows, at_head.last) == (0, head)
            assert await fresh.read(start, 100) is not read  # a reader that is no runner: read again
            assert mapper.decoded == 14
        with stale.following() as one, stale.following() as other:
            await stale.read(start, 100, one)
            await stale.read(start, 100, other)
            assert mapper.decoded == 28  # too old to serve: read again
    finally:
        await fresh.close()
        await stale.close()


async def test_runners_sharing_every_head_read_still_apply_each_append_on_its_notification(
    own_dsn: str, own_store: EventStore
) -> None:
    # Every head read serves every runner however old (head_seconds), and no runner polls: each
    # append must still reach both projections, on notifications alone.
    area, _, _ = await _area_with_reports(own_store, 1)
    reader = LogReader(own_dsn, make_mapper(), head_seconds=3600)
    runners = [
        ProjectionRunner(own_dsn, p, make_mapper(), reader=reader, poll_seconds=3600, gather_seconds=0)
        for p in (PictureProjection(), AuditProjection())
    ]
    tasks = [asyncio.create_task(r.run_forever()) for r in runners]
    try:
        async with own_store.pool.acquire() as conn:

            async def both_at(position: int) -> bool:
                sql = "SELECT count(*) FROM projection_generations WHERE active AND position >= $1"
                return bool(await conn.fetchval(sql + " AND projection IN ('picture', 'audit')", position) == 2)

            for _ in range(20):
                position = await _submit(own_store, area)
                async with asyncio.timeout(10):
                    while not await both_at(position):  # noqa: ASYNC110 (the database has no event to await)
                        await asyncio.sleep(0.01)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await reader.close()
