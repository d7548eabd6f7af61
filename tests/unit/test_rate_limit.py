"""The token buckets behind the write rate limit, on a clock the test moves."""

from __future__ import annotations

import pytest

from service.web import rate_limit
from service.web.rate_limit import TokenBuckets


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take(b"a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take(b"a") == pytest.approx(0.5)  # one write comes back every half second
    clock.now += 0.25
    assert buckets.take(b"a") == pytest.approx(0.25)
    clock.now += 0.25
    assert buckets.take(b"a") == 0.0
    assert buckets.take(b"a") == pytest.approx(0.5)


def test_a_bucket_refills_to_its_burst_and_no_further() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=2, clock=clock)
    buckets.take(b"a")
    buckets.take(b"a")
    clock.now += 3600
    assert [buckets.take(b"a") > 0 for _ in range(3)] == [False, False, True]


def test_keys_do_not_share_a_bucket() -> None:
    buckets = TokenBuckets(rate=0.001, burst=1, clock=Clock())
    assert buckets.take(b"a") == 0.0
    assert buckets.take(b"a") > 0
    assert buckets.take(b"b") == 0.0


def test_refilled_buckets_are_forgotten_when_there_are_too_many(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rate_limit, "MAX_BUCKETS", 3)
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock)
    for key in (b"a", b"b", b"c"):
        buckets.take(key)
    clock.now += 1  # a, b and c have refilled: as good as new
    assert buckets.take(b"d") == 0.0
    assert len(buckets) == 1
    assert buckets.take(b"d") > 0  # d's own bucket was kept


def test_a_limit_needs_a_rate_and_a_burst() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBuckets(rate=0, burst=5)
    with pytest.raises(ValueError, match="burst"):
        TokenBuckets(rate=1, burst=0)
