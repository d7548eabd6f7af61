"""The collector's threshold while runners catch up: raised once for all of them, restored after the last."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from projections.collector import YOUNG_WHILE_CATCHING_UP, CatchUpCollection


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    """The process's thresholds, put back after the test whatever it did."""
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_raised_while_any_runner_catches_up_and_restored_after_the_last(thresholds: tuple[int, int, int]) -> None:
    picture, audit = CatchUpCollection(), CatchUpCollection()
    raised = (max(thresholds[0], YOUNG_WHILE_CATCHING_UP), *thresholds[1:])
    picture.catching_up(True)
    assert gc.get_threshold() == raised
    audit.catching_up(True)
    picture.catching_up(True)  # a runner says so for every batch: it counts once
    picture.catching_up(False)
    assert gc.get_threshold() == raised  # audit is still catching up
    audit.catching_up(False)
    assert gc.get_threshold() == thresholds
    audit.catching_up(False)  # following live, batch after batch: nothing more to release
    assert gc.get_threshold() == thresholds
    picture.catching_up(True)
    assert gc.get_threshold() == raised
    picture.catching_up(False)
    assert gc.get_threshold() == thresholds


def test_a_higher_threshold_of_the_process_is_kept(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(YOUNG_WHILE_CATCHING_UP * 2, 5, 7)
    runner = CatchUpCollection()
    runner.catching_up(True)
    assert gc.get_threshold() == (YOUNG_WHILE_CATCHING_UP * 2, 5, 7)
    runner.catching_up(False)
    assert gc.get_threshold() == (YOUNG_WHILE_CATCHING_UP * 2, 5, 7)
