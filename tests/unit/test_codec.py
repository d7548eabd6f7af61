"""The codec: events survive a round trip, and old stored versions are upcast on read."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    StoredEvent,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

from domain.codec import make_mapper
from tests.support.aggregates import Tally


class Renamed(Aggregate.Event):
    """An event whose second version added `reason`."""

    class_version = 2
    name: str
    reason: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Version 1 had no reason."""
        state["reason"] = "okänd"


def test_an_event_round_trips_through_the_mapper() -> None:
    mapper = make_mapper()
    tally = Tally("Råslätt")
    tally.add(2)
    for event in tally.collect_events():
        stored = mapper.to_stored_event(event)
        assert json.loads(stored.state)  # JSON, readable by people and other tools
        assert mapper.to_domain_event(stored) == event


def test_a_version_one_record_is_upcast_when_read() -> None:
    mapper = make_mapper()
    timestamp = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": timestamp.isoformat()},
        "name": "Centrum",
    }
    stored = StoredEvent(uuid.uuid4(), 2, get_topic(Renamed), json.dumps(state).encode())

    event = mapper.to_domain_event(stored)

    assert isinstance(event, Renamed)
    assert (event.name, event.reason, event.timestamp) == ("Centrum", "okänd", timestamp)


def test_a_new_record_carries_its_class_version() -> None:
    mapper = make_mapper()
    event = cast(Any, Renamed)(
        originator_id=uuid.uuid4(), originator_version=2,
        timestamp=datetime.now(UTC), name="Centrum", reason="nytt namn",
    )  # fmt: skip
    stored = mapper.to_stored_event(event)
    assert json.loads(stored.state)["class_version"] == 2
    assert mapper.to_domain_event(stored) == event


def test_stored_state_decodes_as_the_library_decodes_it() -> None:
    library = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr()):
        library.register(transcoding)
    area = uuid.uuid4()
    state = {
        "timestamp": datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        "changes": {"area_id": {"old": area, "new": uuid.uuid4()}, "count": {"old": 1, "new": 2}},
        "areas": [area, [Decimal("1.5"), {"at": datetime(2026, 1, 1, tzinfo=UTC)}], "Råslätt", None, 3, 2.5],
        "look_alike": {"_type_": "uuid_hex", "note": "three keys are not a typed value", "n": 1},
        "place": {"sealed": "abc="},
    }
    data = library.encode(state)
    assert make_mapper().transcoder.decode(data) == library.decode(data) == state
    unknown = b'{"at": {"_type_": "sundial_reading", "_data_": "noon"}}'
    with pytest.raises(TranscodingNotRegisteredError):
        make_mapper().transcoder.decode(unknown)
