"""Group commit's bookkeeping: which appends wait, which go out, on which of its connections."""

from __future__ import annotations

import asyncio

import asyncpg

from service.store.appends import AppendResult
from tests.integration.test_in_doubt_appends import (
    WAITING_FOR_LOCK,
    _hold_append_lock,
    _let_go,
    _pending,
    _until,
    _writer,
)


async def test_an_append_made_just_as_a_group_got_the_only_connection_waits_for_that_group(
    database_dsn: str, pool: asyncpg.Pool
) -> None:
    async with _writer(database_dsn, lanes=1) as writer:
        holder = await _hold_append_lock(database_dsn)

        async def one_then_another() -> tuple[AppendResult, AppendResult]:
            first = await writer.submit(_pending("Råslätt"))
            # In the same step in which the first was answered, and the waiting one was handed
            # the connection in a task that has not started yet.
            return first, await writer.submit(_pending("Österängen"))

        both = asyncio.create_task(one_then_another())
        await _until(WAITING_FOR_LOCK, pool, 1)  # the first is on the only connection, waiting to commit
        waiting = asyncio.create_task(writer.submit(_pending("Öxnehaga")))
        await asyncio.sleep(0)  # it runs up to its wait: a write is in flight
        assert not waiting.done()
        await _let_go(holder)
        (first, last), middle = await both, await waiting

    assert first.position < middle.position < last.position
