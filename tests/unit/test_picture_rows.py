"""The picture's rows, given/when/then: what each event makes of a report's, an action's, an area's row."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.action import Action
from domain.area import Area
from domain.assessment import Assessment
from domain.report import Report
from domain.sealing import REDACTED
from projections.picture.rows import (
    Row,
    action_changed,
    area_changed,
    assessment_published,
    boundary_set,
    follow_up_redacted,
    report_changed,
)
from tests.unit.givens import MUNICIPALITY, NOW, OXNEHAGA, POLICE, RASLATT, new_events, planned_action, submitted_report
from tests.unit.read_givens import logged


def _given_report(**overrides: Any) -> tuple[Report, Row]:
    """Given: a report submitted for 2026-W47, and the row the picture made of it."""
    facts: dict[str, Any] = {"area_id": RASLATT, "category": "klotter", "week": "2026-W47", "count": 2}
    report = Report.submit(POLICE, now=NOW, **(facts | overrides))
    [submitted] = logged(*new_events(report))
    row, _ = report_changed(None, submitted)
    return report, row


def test_a_submitted_report_is_an_active_row_counted_once_in_its_week_and_category() -> None:
    report = Report.submit(
        POLICE, now=NOW, area_id=RASLATT, category="klotter", week="2026-W47", count=3, place="Torget"
    )
    [submitted] = logged(*new_events(report), start=7)

    row, deltas = report_changed(None, submitted)

    assert (row["report_id"], row["status"], row["count"], row["place"]) == (report.id, "active", 3, "Torget")
    assert (row["submitted_by"], row["org"], row["first_position"], row["position"], row["version"]) == (
        "polis-1", "polisen", 7, 7, 1,
    )  # fmt: skip
    assert deltas == ((("jonkoping", RASLATT, "2026-W47", "klotter"), 1, 3),)


def test_correcting_the_category_moves_the_report_between_counts() -> None:
    report, given = _given_report(count=2)
    report.correct(POLICE, {"category": "skadegörelse"}, "fel kategori", NOW)
    [corrected] = logged(*new_events(report), start=2)

    row, deltas = report_changed(given, corrected)

    assert (row["category"], row["version"], row["position"], row["first_position"]) == ("skadegörelse", 2, 2, 1)
    assert deltas == (
        (("jonkoping", RASLATT, "2026-W47", "klotter"), -1, -2),
        (("jonkoping", RASLATT, "2026-W47", "skadegörelse"), 1, 2),
    )
    assert given["category"] == "klotter"  # the row given stays as it was


def test_correcting_the_count_changes_the_occurrences_not_the_reports() -> None:
    report, given = _given_report(count=2)
    report.correct(POLICE, {"count": 5}, "räknade fel", NOW)
    [corrected] = logged(*new_events(report), start=2)

    row, deltas = report_changed(given, corrected)

    key = ("jonkoping", RASLATT, "2026-W47", "klotter")
    assert row["count"] == 5
    assert deltas == ((key, -1, -2), (key, 1, 5))


def test_a_retracted_report_leaves_the_counts_but_keeps_its_row() -> None:
    report, given = _given_report(count=4)
    report.retract(POLICE, "dubblett")
    [retracted] = logged(*new_events(report), start=9)

    row, deltas = report_changed(given, retracted)

    assert (row["status"], row["position"], row["version"]) == ("retracted", 9, 2)
    assert deltas == ((("jonkoping", RASLATT, "2026-W47", "klotter"), -1, -4),)


def test_a_redacted_report_reads_redacted_where_it_had_text_and_counts_as_before() -> None:
    report, given = _given_report(place="Gångtunneln vid centrum")
    report.redact(MUNICIPALITY, "gallring")
    [redacted] = logged(*new_events(report), start=3)

    row, deltas = report_changed(given, redacted)

    assert (row["place"], row["description"], row["status"]) == (REDACTED, None, "active")
    assert deltas == ()


def test_an_event_of_a_report_the_picture_does_not_have_stops_the_projection() -> None:
    report = submitted_report()
    report.retract(POLICE, "dubblett")
    [retracted] = logged(*new_events(report))
    with pytest.raises(LookupError, match="Retracted of a report"):
        report_changed(None, retracted)


def test_an_action_planned_then_started_has_the_weeks_of_both() -> None:
    action = Action.plan(MUNICIPALITY, area_id=RASLATT, title="Ny belysning", responsible_org="kommunen")
    action.change_status(MUNICIPALITY, "started")
    planned, started = logged(*new_events(action))

    row, _ = action_changed(None, planned)
    assert (row["status"], row["planned_week"], row["started_week"], row["follow_ups"]) == (
        "planned", "2026-W48", None, 0,
    )  # fmt: skip
    row, follow_up = action_changed(row, started)
    assert (row["status"], row["started_week"], row["version"], follow_up) == ("started", "2026-W48", 2, None)


def test_a_follow_up_is_numbered_and_becomes_the_actions_latest() -> None:
    action = planned_action("started")
    action.follow_up(MUNICIPALITY, "improved", "Mindre klotter sedan lamporna kom upp")
    action.follow_up(POLICE, "unchanged", "Oförändrat")
    first, second = logged(*new_events(action), start=20)
    given = {"action_id": action.id, "area_id": RASLATT, "follow_ups": 0, "last_follow_up": None, "status": "started"}

    row, recorded_first = action_changed(given, first)
    row, recorded_second = action_changed(row, second)

    assert recorded_first is not None
    assert recorded_second is not None
    assert (recorded_first["n"], recorded_second["n"], recorded_second["org"]) == (1, 2, "polisen")
    assert (recorded_second["area_id"], recorded_second["week"]) == (RASLATT, "2026-W48")
    assert (recorded_first["position"], recorded_second["position"]) == (20, 21)
    assert row["follow_ups"] == 2
    assert row["last_follow_up"] == {"effect": "unchanged", "note": "Oförändrat", "week": "2026-W48", "org": "polisen"}


def test_a_redacted_action_reads_redacted_in_its_description_and_latest_follow_up() -> None:
    action = planned_action()
    action.redact(MUNICIPALITY, "gallring")
    [redacted] = logged(*new_events(action))
    latest = json.dumps({"effect": "improved", "note": "Bättre", "week": "2026-W47", "org": "kommunen"})
    given = {"description": "Lampor i tunneln", "last_follow_up": latest}  # the follow-up as loaded: json text

    row, follow_up = action_changed(given, redacted)

    assert (row["description"], follow_up) == (REDACTED, None)
    assert row["last_follow_up"] == {"effect": "improved", "note": REDACTED, "week": "2026-W47", "org": "kommunen"}
    assert follow_up_redacted({"n": 1, "note": "Bättre"}) == {"n": 1, "note": REDACTED}


def test_an_area_defined_renamed_and_retired() -> None:
    area = Area.define(MUNICIPALITY, "oxnehaga", "Öxnehaga")
    area.rename(MUNICIPALITY, "Öxnehaga centrum")
    area.retire(MUNICIPALITY, "sammanslaget")
    defined, renamed, retired = logged(*new_events(area))

    row = area_changed(None, defined)
    assert (row["area_id"], row["code"], row["name"], row["retired"]) == (OXNEHAGA, "oxnehaga", "Öxnehaga", False)
    row = area_changed(row, renamed)
    assert (row["name"], row["retired"], row["position"]) == ("Öxnehaga centrum", False, 2)
    row = area_changed(row, retired)
    assert (row["name"], row["retired"], row["position"], row["version"]) == ("Öxnehaga centrum", True, 3, 3)


def test_a_boundary_set_is_its_own_row_with_its_bounding_box_and_moves_the_areas_row_on() -> None:
    area = Area.define(MUNICIPALITY, "oxnehaga", "Öxnehaga")
    square = [[14.1, 57.7], [14.25, 57.7], [14.25, 57.8], [14.1, 57.8], [14.1, 57.7]]
    area.set_boundary(MUNICIPALITY, {"type": "Polygon", "coordinates": [square]})
    defined, boundary = logged(*new_events(area), start=4)

    row = area_changed(area_changed(None, defined), boundary)
    kept = boundary_set(boundary)

    assert (row["position"], row["version"], row["name"]) == (5, 2, "Öxnehaga")
    assert (kept["area_id"], kept["tenant"], kept["position"]) == (OXNEHAGA, "jonkoping", 5)
    assert kept["geometry"] == {"type": "Polygon", "coordinates": [square]}
    assert (kept["west"], kept["south"], kept["east"], kept["north"]) == (14.1, 57.7, 14.25, 57.8)
    with pytest.raises(TypeError):
        boundary_set(defined)


def test_a_published_assessment_is_its_area_and_weeks_row_and_a_draft_is_not() -> None:
    assessment = Assessment.start(MUNICIPALITY, RASLATT, "2026-W47", "yellow", "Mer klotter än vanligt")
    assessment.publish(MUNICIPALITY)
    drafted, published = logged(*new_events(assessment))

    key, row = assessment_published(published)

    assert key == ("jonkoping", RASLATT, "2026-W47")
    assert (row["revision"], row["level"], row["summary"], row["org"]) == (
        1,
        "yellow",
        "Mer klotter än vanligt",
        "kommunen",
    )
    with pytest.raises(TypeError):
        assessment_published(drafted)
