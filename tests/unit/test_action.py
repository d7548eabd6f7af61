"""The Action aggregate, given/when/then: plan, status transitions, follow-ups, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from domain.action import Action
from domain.errors import Invalid, InvalidTransition, PersonalDataFound
from tests.unit.givens import MUNICIPALITY, POLICE, RASLATT, new_events, planned_action


def test_plan_links_reports_and_categories() -> None:
    report = Action.create_id()
    action = Action.plan(
        MUNICIPALITY, area_id=RASLATT, title="Trygghetsvandring", responsible_org="kommunen",
        starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 20),
        report_ids=[report, report], categories=["belysning"],
    )  # fmt: skip
    [planned] = new_events(action)
    assert isinstance(planned, Action.Planned)
    assert (planned.report_ids, planned.categories, action.status) == ([report], ["belysning"], "planned")
    assert (planned.starts_on, planned.ends_on, planned.org) == ("2026-11-30", "2026-12-20", "kommunen")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"starts_on": date(2026, 12, 2), "ends_on": date(2026, 12, 1)}, "ends_on"),
        ({"responsible_org": ""}, "responsible_org"),
    ],
)
def test_plan_refuses_bad_values(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"title": "Trygghetsvandring", "responsible_org": "kommunen"} | kwargs
    with pytest.raises(Invalid) as refused:
        Action.plan(MUNICIPALITY, area_id=RASLATT, **values)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_plan_refuses_personal_data_in_the_description() -> None:
    with pytest.raises(PersonalDataFound):
        Action.plan(
            MUNICIPALITY, area_id=RASLATT, title="Samtal", responsible_org="kommunen",
            description="kontakt info@example.se",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("given", "to", "event"),
    [
        ("planned", "started", Action.Started),
        ("planned", "cancelled", Action.Cancelled),
        ("started", "completed", Action.Completed),
        ("started", "cancelled", Action.Cancelled),
    ],
)
def test_allowed_transitions(given: str, to: str, event: type[Action.StatusChanged]) -> None:
    action = planned_action(given)
    action.change_status(POLICE, to, note="enligt plan")
    [changed] = new_events(action)
    assert isinstance(changed, event)
    assert (action.status, changed.note, changed.org) == (to, "enligt plan", "polisen")


@pytest.mark.parametrize(
    ("given", "to"),
    [
        ("planned", "completed"),
        ("planned", "planned"),
        ("started", "started"),
        ("started", "planned"),
        ("completed", "started"),
        ("completed", "cancelled"),
        ("cancelled", "started"),
    ],
)
def test_invalid_transitions_are_refused(given: str, to: str) -> None:
    action = planned_action(given)
    with pytest.raises(InvalidTransition):
        action.change_status(POLICE, to)
    assert new_events(action) == []


def test_an_unknown_status_is_invalid() -> None:
    with pytest.raises(Invalid) as refused:
        planned_action().change_status(POLICE, "paused")
    assert refused.value.field == "status"


@pytest.mark.parametrize("given", ["started", "completed"])
def test_a_follow_up_records_the_effect(given: str) -> None:
    action = planned_action(given)
    action.follow_up(POLICE, "improved", "Färre samlingar efter kl 22")
    [followed] = new_events(action)
    assert isinstance(followed, Action.FollowedUp)
    assert (followed.effect, followed.note, action.follow_ups) == ("improved", "Färre samlingar efter kl 22", 1)


@pytest.mark.parametrize("given", ["planned", "cancelled"])
def test_a_follow_up_before_the_start_or_after_cancelling_is_refused(given: str) -> None:
    with pytest.raises(InvalidTransition):
        planned_action(given).follow_up(POLICE, "unknown", "för tidigt")


@pytest.mark.parametrize(
    ("effect", "note", "field"),
    [("better", "x", "effect"), ("improved", "", "note"), ("improved", "ring 0701234567", "note")],
)
def test_a_follow_up_is_refused_for_bad_values(effect: str, note: str, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        planned_action("started").follow_up(POLICE, effect, note)
    assert refused.value.field == field
