"""The eventsourcing library's own PostgreSQL recorder reads what our store wrote."""

from __future__ import annotations

import asyncio
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import EventStore as LibraryEventStore
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.codec import make_mapper
from service.store.event_store import EventStore
from tests.support.aggregates import Tally
from tests.support.library import library_datastore


def _read_with_library(dsn: str, originator_id: UUID, after: int) -> tuple[list[DomainEventProtocol[UUID]], list[int]]:
    datastore = library_datastore(dsn)
    try:
        recorder = PostgresApplicationRecorder(datastore)  # table "stored_events"
        library_store = LibraryEventStore(make_mapper(), recorder)
        events = list(library_store.get(originator_id))
        positions = [n.id for n in recorder.select_notifications(after + 1, limit=10)]
        return events, positions
    finally:
        datastore.close()


async def test_the_library_recorder_reads_our_events_as_the_same_domain_events(
    store: EventStore, database_dsn: str
) -> None:
    after = await store.head()
    tally = Tally("Huskvarna Söder")
    tally.add(2)
    written = tally.collect_events()
    result = await store.append(written, expected_version=0)

    events, positions = await asyncio.to_thread(_read_with_library, database_dsn, tally.id, after)

    assert events == list(written)
    assert positions[-1] == result.position
    rebuilt: Any = None
    for event in events:
        rebuilt = cast(Any, event).mutate(rebuilt)
    assert isinstance(rebuilt, Tally)
    assert (rebuilt.name, rebuilt.count, rebuilt.version) == ("Huskvarna Söder", 2, 2)
