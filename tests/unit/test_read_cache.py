"""The pages' read cache: computed once for all readers, kept while the read models stay, or for its seconds."""

from __future__ import annotations

import asyncio

import pytest

from service.web.read_cache import ReadCache


class Tracker:
    """Positions as the projection tracker holds them, moved by the test."""

    def __init__(self) -> None:
        self.positions = {"picture": 10, "patterns": 10}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Computation:
    """Counts its runs; each answer names the run and the positions it saw."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker, self.runs = tracker, 0
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self) -> tuple[int, int]:
        self.runs += 1
        run = self.runs
        await self.release.wait()
        return run, self.tracker.positions["picture"]


@pytest.fixture
def tracker() -> Tracker:
    return Tracker()


async def test_readers_at_once_share_one_computation(tracker: Tracker) -> None:
    cache, compute = ReadCache(tracker, seconds=0), Computation(tracker)
    compute.release.clear()
    readers = [asyncio.create_task(cache.get("k", ("picture",), compute)) for _ in range(20)]
    await asyncio.sleep(0)  # every reader is waiting
    compute.release.set()
    assert await asyncio.gather(*readers) == [(1, 10)] * 20
    assert compute.runs == 1


async def test_kept_while_the_read_models_stay_however_long(tracker: Tracker) -> None:
    clock = Clock()
    cache, compute = ReadCache(tracker, seconds=1.0, clock=clock), Computation(tracker)
    assert await cache.get("k", ("picture", "patterns"), compute) == (1, 10)
    clock.now += 3600
    assert await cache.get("k", ("picture", "patterns"), compute) == (1, 10)
    tracker.positions["patterns"] = 11  # any of the read models it was computed from
    assert await cache.get("k", ("picture", "patterns"), compute) == (2, 10)  # an hour old: not handed out


async def test_when_the_read_models_move_it_is_followed_from_halfway_through_its_seconds(tracker: Tracker) -> None:
    clock = Clock()
    cache, compute = ReadCache(tracker, seconds=1.0, clock=clock), Computation(tracker)
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    tracker.positions["picture"] = 11
    clock.now += 0.499
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    assert compute.runs == 1
    clock.now += 0.001
    compute.release.clear()
    # Halfway: the first reader starts the next answer, and it and those after it get this one meanwhile.
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    compute.release.set()
    while (answer := await cache.get("k", ("picture",), compute)) == (1, 10):  # noqa: ASYNC110 - replaced in a callback
        await asyncio.sleep(0)  # the next answer is being computed
    assert answer == (2, 11)
    assert compute.runs == 2


async def test_after_its_seconds_a_moved_answer_is_not_handed_out(tracker: Tracker) -> None:
    clock = Clock()
    cache, compute = ReadCache(tracker, seconds=1.0, clock=clock), Computation(tracker)
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    tracker.positions["picture"], clock.now = 11, clock.now + 1.0
    compute.release.clear()
    reader = asyncio.create_task(cache.get("k", ("picture",), compute))
    await asyncio.sleep(0)
    assert not reader.done()  # it waits for the next answer
    compute.release.set()
    assert await reader == (2, 11)


async def test_a_reader_who_has_seen_a_later_position_waits_for_an_answer_that_holds_it(tracker: Tracker) -> None:
    clock = Clock()
    cache, compute = ReadCache(tracker, seconds=60.0, clock=clock), Computation(tracker)
    assert await cache.get("k", ("picture", "patterns"), compute) == (1, 10)
    tracker.positions["picture"] = tracker.positions["patterns"] = 12  # the reader's write, applied
    assert await cache.get("k", ("picture", "patterns"), compute, seen=0) == (1, 10)  # others: kept, not followed yet
    assert compute.runs == 1
    assert await cache.get("k", ("picture", "patterns"), compute, seen=12) == (2, 12)  # the writer: a new answer
    assert await cache.get("k", ("picture", "patterns"), compute) == (2, 12)  # which takes the old one's place


async def test_a_next_answer_begun_before_what_a_reader_has_seen_is_not_theirs(tracker: Tracker) -> None:
    clock = Clock()
    cache, compute = ReadCache(tracker, seconds=1.0, clock=clock), Computation(tracker)
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    tracker.positions["picture"], clock.now = 11, clock.now + 0.5
    compute.release.clear()
    assert await cache.get("k", ("picture",), compute) == (1, 10)  # halfway: the next (at 11) begins
    tracker.positions["picture"] = 12
    writer = asyncio.create_task(cache.get("k", ("picture",), compute, seen=12))
    await asyncio.sleep(0)
    compute.release.set()
    assert await writer == (3, 12)  # not the one begun at 11
    assert compute.runs == 3


async def test_a_failed_next_answer_takes_the_old_one_with_it(tracker: Tracker) -> None:
    clock = Clock()
    cache, outcomes = ReadCache(tracker, seconds=1.0, clock=clock), [1, LookupError("gone"), 3]
    # (each a number to answer with, or an exception to raise)
    finished = asyncio.Event()

    async def compute() -> int:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            finished.set()
            raise outcome
        assert isinstance(outcome, int)
        return outcome

    assert await cache.get("k", ("picture",), compute) == 1
    tracker.positions["picture"], clock.now = 11, clock.now + 0.5
    assert await cache.get("k", ("picture",), compute) == 1  # the next one fails meanwhile
    await finished.wait()
    while (answer := await cache.get("k", ("picture",), compute)) == 1:  # noqa: ASYNC110 - as above
        await asyncio.sleep(0)  # the failure is being noted
    assert answer == 3  # computed anew, not the old answer


async def test_without_seconds_every_move_computes_again(tracker: Tracker) -> None:
    cache, compute = ReadCache(tracker, seconds=0), Computation(tracker)
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    tracker.positions["picture"] = 12
    assert await cache.get("k", ("picture",), compute) == (2, 12)
    assert await cache.get("other", ("picture",), compute) == (3, 12)


async def test_a_failure_reaches_every_reader_and_is_not_kept(tracker: Tracker) -> None:
    cache, runs = ReadCache(tracker, seconds=60), []
    gate = asyncio.Event()

    async def failing() -> int:
        runs.append(1)
        await gate.wait()
        raise LookupError("no such area")

    readers = [asyncio.create_task(cache.get("k", ("picture",), failing)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    outcomes = await asyncio.gather(*readers, return_exceptions=True)
    assert [type(o) for o in outcomes] == [LookupError] * 3
    assert len(runs) == 1
    with pytest.raises(LookupError):
        await cache.get("k", ("picture",), failing)
    assert len(runs) == 2


async def test_a_reader_that_leaves_does_not_take_the_answer_from_the_others(tracker: Tracker) -> None:
    cache, compute = ReadCache(tracker, seconds=0), Computation(tracker)
    compute.release.clear()
    leaving = asyncio.create_task(cache.get("k", ("picture",), compute))
    staying = asyncio.create_task(cache.get("k", ("picture",), compute))
    await asyncio.sleep(0)
    leaving.cancel()
    compute.release.set()
    assert await staying == (1, 10)
    assert leaving.cancelled()
    assert await cache.get("k", ("picture",), compute) == (1, 10)
    assert compute.runs == 1


async def test_the_least_recently_read_go_first(tracker: Tracker) -> None:
    cache, compute = ReadCache(tracker, seconds=0, entries=2), Computation(tracker)
    assert await cache.get("a", ("picture",), compute) == (1, 10)
    assert await cache.get("b", ("picture",), compute) == (2, 10)
    assert await cache.get("a", ("picture",), compute) == (1, 10)  # read again: now the most recent
    assert await cache.get("c", ("picture",), compute) == (3, 10)  # "b" makes room
    assert await cache.get("a", ("picture",), compute) == (1, 10)
    assert await cache.get("b", ("picture",), compute) == (4, 10)
