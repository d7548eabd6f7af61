"""The supervisor of background tasks: a failure is logged, shown as down, and the task restarted."""

from __future__ import annotations

import asyncio
import logging

import pytest

from service.supervision import Supervisor


async def test_a_failing_task_is_shown_down_then_restarted_and_a_task_that_returns_is_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    supervisor = Supervisor(first_backoff=0.01, max_backoff=0.05)
    failed, release = asyncio.Event(), asyncio.Event()
    runs: list[int] = []

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) <= 2:
            failed.set()
            await release.wait()
            raise RuntimeError(f"fault {len(runs)}")
        await asyncio.Event().wait()  # the third run keeps running

    async def once() -> None:
        return None

    with caplog.at_level(logging.INFO, logger="service.supervision"):
        task = supervisor.start("flaky", flaky)
        ended = supervisor.start("once", once)
        await ended
        await failed.wait()
        release.set()
        async with asyncio.timeout(5):
            while len(runs) < 3:  # noqa: ASYNC110 - the supervisor offers no event to await
                await asyncio.sleep(0.001)
        assert (supervisor.states["flaky"].up, supervisor.states["flaky"].restarts) == (True, 2)
        assert (supervisor.states["once"].up, supervisor.states["once"].restarts) == (True, 0)
        assert not task.done()
        await supervisor.close()
    assert task.cancelled()
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failures] == [
        "background task flaky failed; restarting in 0 s",
        "background task flaky failed; restarting in 0 s",
    ]
    assert [str(r.exc_info[1]) for r in failures if r.exc_info] == ["fault 1", "fault 2"]
    assert "background task once ended" in caplog.text


async def test_a_task_is_down_while_it_waits_to_be_restarted() -> None:
    supervisor = Supervisor(first_backoff=3600.0)  # it stays down for the test

    async def broken() -> None:
        raise ValueError("the report's text was redacted")

    supervisor.start("retention", broken)
    async with asyncio.timeout(5):
        while not supervisor.down:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
    [state] = supervisor.down
    assert (state.name, state.up, state.failure) == ("retention", False, "ValueError: the report's text was redacted")
    with pytest.raises(ValueError, match="supervised already"):
        supervisor.start("retention", broken)
    await supervisor.close()
