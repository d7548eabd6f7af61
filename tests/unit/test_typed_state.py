"""Typed decoding: every domain event decodes as the library decodes it, and odd records go the library's way."""

from __future__ import annotations

import inspect
import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic

from domain import action, area, assessment, category, report
from domain.action import Action
from domain.area import Area
from domain.assessment import Assessment
from domain.category import Category
from domain.codec import make_mapper, make_transcoder
from domain.location import coarsen
from domain.report import Report
from domain.sealing import new_key, seal, sealed_paths, unseal
from domain.typed_state import StateDecoder, Unsupported
from tests.unit.givens import MUNICIPALITY, NOW, OXNEHAGA, POLICE, RASLATT

KEY = new_key()


def _domain_event_classes() -> list[type]:
    found = []
    for module in (action, area, assessment, category, report):
        for aggregate in vars(module).values():
            if (
                inspect.isclass(aggregate)
                and issubclass(aggregate, Aggregate)
                and aggregate.__module__ == module.__name__
            ):
                found += [c for c in vars(aggregate).values() if inspect.isclass(c) and issubclass(c, DomainEvent)]
    return found


def _submitted(**facts: Any) -> Report:
    return Report.submit(POLICE, now=NOW, area_id=RASLATT, category="klotter", count=2, **facts)


def _every_kind_of_event() -> list[Any]:
    """One of each event the domain raises, with the values that make its JSON interesting."""
    events: list[Any] = []
    parent = Area.define(MUNICIPALITY, code="raslatt", name="Råslätt", deso=["0680C1010"], regso=["0680R012"])
    child = Area.define(MUNICIPALITY, code="raslatt-centrum", name="Råslätt centrum", parent_id=parent.id)
    child.rename(MUNICIPALITY, "Råslätts centrum")
    square = [[14.1, 57.7], [14.2, 57.7], [14.2, 57.8], [14.1, 57.8], [14.1, 57.7]]
    child.set_boundary(MUNICIPALITY, {"type": "Polygon", "coordinates": [square]})
    child.retire(MUNICIPALITY, "slogs ihop med Råslätt")
    events += [*parent.collect_events(), *child.collect_events()]
    moped = Category.add(MUNICIPALITY, "mopedakning", "Mopedåkning", "Moped riding", "klotter", frozenset())
    events += moped.collect_events()
    moved = _submitted(
        occurred_at=NOW - timedelta(days=2),
        place="Gångtunneln",
        description="Nytt klotter",
        location=coarsen(57.7512, 14.1634),
    )
    moved.correct(POLICE, {"area_id": OXNEHAGA, "place": "Oxnehaga torg", "description": None}, "fel område", NOW)
    moved.redact(POLICE, "uppgifter om en enskild")
    gone = _submitted(week="2026-W47")
    gone.retract(POLICE, "dubblett")
    moved.retract(POLICE, "dubblett efter gallring")
    events += [*moved.collect_events(), *gone.collect_events()]
    done = Action.plan(
        MUNICIPALITY, area_id=RASLATT, title="Ny belysning i gångtunneln", responsible_org="kommunen",
        description="Fler armaturer", starts_on=date(2026, 11, 30), ends_on=None,
        report_ids=[moved.id, gone.id], categories=["klotter", "belysning"],
    )  # fmt: skip
    done.change_status(MUNICIPALITY, "started", "arbetet började")
    done.follow_up(MUNICIPALITY, "improved", "ljusare på kvällen")
    done.change_status(MUNICIPALITY, "completed")
    done.redact(MUNICIPALITY, "uppgifter om en enskild")
    dropped = Action.plan(MUNICIPALITY, area_id=RASLATT, title="Trygghetsvandring", responsible_org="polisen")
    dropped.change_status(MUNICIPALITY, "cancelled", None)
    events += [*done.collect_events(), *dropped.collect_events()]
    weekly = Assessment.start(POLICE, RASLATT, "2026-W48", "yellow", "Mer klotter kring centrum")
    weekly.save_draft(POLICE, "red", "Mer klotter och samlingar kring centrum")
    weekly.publish(POLICE)
    return [*events, *weekly.collect_events()]


def _library_mapper() -> Mapper[Any]:
    return Mapper(transcoder=make_transcoder())


def test_every_domain_event_class_has_a_typed_decoder() -> None:
    transcoder = make_transcoder()
    classes = _domain_event_classes()
    assert len(classes) >= 20
    for cls in classes:
        StateDecoder(cls, transcoder.walk)  # raises Unsupported for an annotation it cannot promise


def test_every_kind_of_event_decodes_to_what_the_librarys_path_gives() -> None:
    mapper, library = make_mapper(), _library_mapper()
    events = _every_kind_of_event()
    raised = {c for c in _domain_event_classes() if c.__name__ not in ("Event", "Created") and not c.__subclasses__()}
    assert {type(e) for e in events} >= raised
    for event in events:
        stored = mapper.to_stored_event(event, KEY)
        typed = mapper._typed_event(stored)
        assert typed is not None, type(event).__qualname__
        by_library = library.to_domain_event(stored)  # the text still sealed, as the typed state is
        assert vars(typed) == vars(by_library)
        assert [(k, type(v)) for k, v in vars(typed).items()] == [(k, type(v)) for k, v in vars(by_library).items()]
        assert mapper.to_domain_event(stored, KEY) == event


def _record(event_class: type, state: dict[str, Any]) -> StoredEvent:
    return StoredEvent(uuid.uuid4(), 2, get_topic(event_class), json.dumps(state).encode())


RETRACTED = {
    "timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-25T10:00:00+00:00"},
    "reason": seal({"reason": "dubblett"}, ("reason",), KEY)["reason"],
    "by": "polis-1",
    "org": "polisen",
    "tenant": "jonkoping",
}


@pytest.mark.parametrize(
    "state",
    [
        {**RETRACTED, "class_version": 1},
        {**RETRACTED, "extra": 1},
        {**RETRACTED, "reason": {"_type_": "uuid_hex", "_data_": "3342468be4565cabab780c98ea573b40"}},
        {**RETRACTED, "timestamp": "2026-11-25T10:00:00+00:00"},
        {**RETRACTED, "timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-25T10:00:00+00:00", "x": 1}},
        {**RETRACTED, "by": 7},
        {k: v for k, v in RETRACTED.items() if k != "org"},
    ],
)
def test_a_record_of_another_shape_decodes_the_librarys_way(state: dict[str, Any]) -> None:
    mapper, stored = make_mapper(), _record(report.Report.Retracted, state)
    assert mapper._typed_event(stored) is None
    by_library = _library_mapper().to_domain_event(stored)
    unseal(vars(by_library), sealed_paths(type(by_library)), KEY)
    assert vars(mapper.to_domain_event(stored, KEY)) == vars(by_library)


def test_plain_text_where_text_is_sealed_stays_plain() -> None:
    mapper, stored = make_mapper(), _record(report.Report.Retracted, {**RETRACTED, "reason": "i klartext"})
    assert vars(mapper._typed_event(stored))["reason"] == "i klartext"
    assert mapper.to_domain_event(stored, KEY).reason == "i klartext"  # type: ignore[attr-defined]


@pytest.mark.parametrize("count", [True, 2.0])
def test_a_count_that_is_not_an_integer_is_left_to_the_library(count: object) -> None:
    mapper = make_mapper()
    stored = mapper.to_stored_event(_submitted(week="2026-W48").collect_events()[0], KEY)
    odd = StoredEvent(
        stored.originator_id, 1, stored.topic, json.dumps(json.loads(stored.state) | {"count": count}).encode()
    )
    assert mapper._typed_event(odd) is None
    decoded: Any = mapper.to_domain_event(odd, KEY)
    assert type(decoded.count) is type(count)


def test_broken_json_fails_as_the_library_fails() -> None:
    stored = StoredEvent(uuid.uuid4(), 2, get_topic(report.Report.Retracted), b'{"timestamp": ')
    with pytest.raises(MapperDeserialisationError):
        make_mapper().to_domain_event(stored, KEY)


class _Measured(Aggregate.Event):
    weight: float


class _Tagged(Aggregate.Event):
    tags: dict[str, int]


class _Upcast(Aggregate.Event):
    class_version = 2
    name: str


@pytest.mark.parametrize("event_class", [_Measured, _Tagged, _Upcast])
def test_annotations_it_cannot_promise_have_no_typed_decoder(event_class: type) -> None:
    with pytest.raises(Unsupported):
        StateDecoder(event_class, make_transcoder().walk)


def test_a_class_whose_annotations_do_not_resolve_has_no_typed_decoder() -> None:
    place = str

    class Local(Aggregate.Event):
        where: place  # type: ignore[valid-type]  # a name only this function knows: get_type_hints cannot resolve it

    assert make_mapper()._decoder(Local) is None
    assert make_mapper()._decoder(report.Report.Retracted) is not None
