"""The audit trail's entries, given/when/then: what an event's entry holds, and what a redaction leaves of it."""

from __future__ import annotations

import json
from typing import Any

from domain.area import Area
from domain.assessment import Assessment
from domain.category import Category
from domain.report import Report
from domain.sealing import REDACTED
from projections.audit.entries import COLUMNS, entry_of, is_audited, redacted_summary
from tests.unit.givens import MUNICIPALITY, NOW, OXNEHAGA, POLICE, RASLATT, new_events, planned_action
from tests.unit.read_givens import logged


def _entry(recorded: Any, stream_area: Any = None) -> dict[str, Any]:
    """The entry as a row of named columns."""
    return dict(zip(COLUMNS, entry_of(recorded, stream_area), strict=True))


def _report() -> Report:
    report = Report.submit(
        POLICE, now=NOW, area_id=RASLATT, category="klotter", week="2026-W47", count=2,
        place="Gångtunneln", description="Nytt klotter",
    )  # fmt: skip
    return report


def test_a_submitted_reports_entry_says_who_what_where_and_its_facts() -> None:
    report = _report()
    [submitted] = logged(*new_events(report), start=5)

    entry = _entry(submitted)

    assert (entry["position"], entry["recorded_at"], entry["tenant"], entry["actor"], entry["org"]) == (
        5, NOW, "jonkoping", "polis-1", "polisen",
    )  # fmt: skip
    assert (entry["event_type"], entry["aggregate_type"], entry["aggregate_id"], entry["version"]) == (
        "Submitted", "Report", report.id, 1,
    )  # fmt: skip
    assert entry["area_id"] == RASLATT
    summary = json.loads(entry["summary"])
    assert (summary["category"], summary["count"], summary["place"]) == ("klotter", 2, "Gångtunneln")
    assert not {"tenant", "by", "org", "originator_id", "timestamp"} & set(summary)  # the envelope is in the columns


def test_an_event_that_names_no_area_is_about_its_streams() -> None:
    report = _report()
    new_events(report)
    report.retract(POLICE, "dubblett")
    [retracted] = logged(*new_events(report), start=2)

    assert _entry(retracted, stream_area=OXNEHAGA)["area_id"] == OXNEHAGA
    assert _entry(retracted)["area_id"] is None  # a stream the trail has no entry of


def test_a_correction_that_moves_the_report_is_about_the_new_area_and_says_what_changed() -> None:
    report = _report()
    new_events(report)
    report.correct(POLICE, {"area_id": OXNEHAGA}, "fel område", NOW)
    [corrected] = logged(*new_events(report), start=2)

    entry = _entry(corrected, stream_area=RASLATT)

    assert entry["area_id"] == OXNEHAGA
    summary = json.loads(entry["summary"])
    assert summary["reason"] == "fel område"
    assert summary["changes"]["area_id"] == {"old": str(RASLATT), "new": str(OXNEHAGA)}


def test_an_areas_entries_are_about_the_area_itself() -> None:
    area = Area.define(MUNICIPALITY, "oxnehaga", "Öxnehaga")
    area.rename(MUNICIPALITY, "Öxnehaga centrum")
    defined, renamed = logged(*new_events(area))

    assert (_entry(defined)["area_id"], _entry(renamed)["area_id"]) == (OXNEHAGA, OXNEHAGA)
    assert (_entry(defined)["aggregate_type"], _entry(renamed)["event_type"]) == ("Area", "Renamed")


def test_assessments_and_categories_have_entries_of_their_own_type() -> None:
    assessment = Assessment.start(MUNICIPALITY, RASLATT, "2026-W47", "yellow", "Mer klotter än vanligt")
    [drafted] = logged(*new_events(assessment))
    category = Category.add(MUNICIPALITY, "lossnade-gatsten", "Lossnade gatsten", "Loose paving", None, frozenset())
    [added] = logged(*new_events(category))

    assert (_entry(drafted)["aggregate_type"], _entry(drafted)["area_id"]) == ("Assessment", RASLATT)
    assert (is_audited(added.event), _entry(added)["aggregate_type"]) == (True, "Category")


def test_redaction_leaves_a_summarys_facts_and_replaces_its_free_text() -> None:
    [submitted] = logged(*new_events(_report()))
    summary = _entry(submitted)["summary"]

    redacted = redacted_summary("Report", "Submitted", summary)

    assert redacted is not None
    after = json.loads(redacted)
    assert (after["place"], after["description"]) == (REDACTED, REDACTED)
    assert {k: v for k, v in after.items() if k not in ("place", "description")} == {
        k: v for k, v in json.loads(summary).items() if k not in ("place", "description")
    }


def test_redaction_leaves_a_summary_without_free_text_alone() -> None:
    action = planned_action()
    action.redact(MUNICIPALITY, "gallring")
    [redacted_event] = logged(*new_events(action))

    assert redacted_summary("Action", "Redacted", _entry(redacted_event)["summary"]) is None
    assert redacted_summary("Area", "Renamed", json.dumps({"name": "Öxnehaga centrum"})) is None
