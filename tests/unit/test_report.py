"""The Report aggregate, given/when/then: submit, correct, retract, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from domain.codec import make_mapper
from domain.errors import Invalid, InvalidTransition, PersonalDataFound
from domain.location import coarsen
from domain.report import Report
from domain.sealing import sealed_paths
from tests.unit.givens import MUNICIPALITY, NOW, OXNEHAGA, POLICE, RASLATT, new_events, submitted_report


def test_submit_records_the_facts_who_and_the_week() -> None:
    report = Report.submit(
        POLICE, now=NOW, area_id=RASLATT, category="klotter",
        occurred_at=datetime(2026, 11, 22, 22, 30, tzinfo=UTC),  # Sunday night: still W47 in Sweden
        count=3, location=coarsen(57.7507, 14.1456),
    )  # fmt: skip
    [submitted] = new_events(report)
    assert isinstance(submitted, Report.Submitted)
    assert (submitted.tenant, submitted.by, submitted.org) == ("jonkoping", "polis-1", "polisen")
    assert (submitted.week, submitted.count, submitted.source) == ("2026-W47", 3, "own_observation")
    assert submitted.location is not None
    assert submitted.location["cell_m"] == 250
    assert submitted.location != {"lat": 57.7507, "lon": 14.1456, "cell_m": 250}


def test_submit_with_a_week_instead_of_a_time() -> None:
    report = Report.submit(MUNICIPALITY, now=NOW, area_id=RASLATT, category="belysning", week="2026-W46")
    assert (report.occurred_at, report.week) == (None, "2026-W46")


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({}, "occurred_at"),  # neither a time nor a week
        ({"occurred_at": NOW, "week": "2026-W48"}, "occurred_at"),  # both
        ({"occurred_at": NOW + timedelta(hours=1)}, "occurred_at"),  # the future
        ({"occurred_at": datetime(2026, 11, 20, 21, 30)}, "occurred_at"),  # no time zone
        ({"occurred_at": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))}, "occurred_at"),  # year 0 in UTC
        ({"week": "2026-W49"}, "week"),  # a future week
        ({"week": "2026-W54"}, "week"),
        ({"week": "v47"}, "week"),
        ({"week": "2026-W47", "count": 0}, "count"),
        ({"week": "2026-W47", "source": "rumour"}, "source"),
        ({"week": "2026-W47", "place": "x" * 201}, "place"),
    ],
)
def test_submit_refuses_bad_facts_naming_the_field(facts: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        Report.submit(POLICE, now=NOW, area_id=RASLATT, category="klotter", **facts)
    assert refused.value.field == field


@pytest.mark.parametrize("field", ["place", "description"])
def test_submit_refuses_personal_data_in_free_text(field: str) -> None:
    text: dict[str, Any] = {field: "070-123 45 67"}
    with pytest.raises(PersonalDataFound) as refused:
        Report.submit(POLICE, now=NOW, area_id=RASLATT, category="klotter", week="2026-W47", **text)
    assert refused.value.field == field


def test_a_correction_keeps_old_and_new_values_and_the_reason() -> None:
    report = submitted_report()
    report.correct(MUNICIPALITY, {"count": 5, "area_id": OXNEHAGA}, "fel område angivet", NOW)
    [corrected] = new_events(report)
    assert isinstance(corrected, Report.Corrected)
    assert corrected.changes == {"count": {"old": 2, "new": 5}, "area_id": {"old": RASLATT, "new": OXNEHAGA}}
    assert (corrected.reason, corrected.by, corrected.org) == ("fel område angivet", "kommun-1", "kommunen")
    assert (report.count, report.area_id) == (5, OXNEHAGA)


def test_correcting_the_time_moves_the_week() -> None:
    report = submitted_report()
    report.correct(POLICE, {"occurred_at": datetime(2026, 11, 10, 12, tzinfo=UTC)}, "fel datum", NOW)
    [corrected] = new_events(report)
    assert corrected.changes["week"] == {"old": "2026-W47", "new": "2026-W46"}


def test_correcting_to_a_week_clears_the_time() -> None:
    report = submitted_report()
    report.correct(POLICE, {"week": "2026-W45"}, "bara veckan är känd", NOW)
    assert (report.occurred_at, report.week) == (None, "2026-W45")


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"count": 2}, "ingen ändring", "changes"),  # nothing would change
        ({"count": 3}, "   ", "reason"),  # an empty reason
        ({"submitted_by": "x"}, "fel", "changes.submitted_by"),  # not a correctable field
        ({"description": "info@example.se"}, "fel", "changes.description"),
        ({"count": 3}, "ring 070-123 45 67", "reason"),
        ({"occurred_at": NOW + timedelta(days=1)}, "fel", "changes.occurred_at"),
    ],
)
def test_a_correction_is_refused(changes: dict[str, Any], reason: str, field: str) -> None:
    report = submitted_report()
    with pytest.raises(Invalid) as refused:
        report.correct(POLICE, changes, reason, NOW)
    assert refused.value.field == field
    assert new_events(report) == []


def test_a_retraction_records_why_and_leaves_the_report_in_history() -> None:
    report = submitted_report()
    report.retract(POLICE, "dubblettrapport")
    [retracted] = new_events(report)
    assert isinstance(retracted, Report.Retracted)
    assert (retracted.reason, report.retracted, report.count) == ("dubblettrapport", True, 2)


def test_a_retraction_needs_a_reason() -> None:
    with pytest.raises(Invalid) as refused:
        submitted_report().retract(POLICE, "")
    assert refused.value.field == "reason"


def test_a_retracted_report_cannot_be_corrected_or_retracted_again() -> None:
    report = submitted_report()
    report.retract(POLICE, "dubblett")
    with pytest.raises(InvalidTransition):
        report.correct(POLICE, {"count": 3}, "fel", NOW)
    with pytest.raises(InvalidTransition):
        report.retract(POLICE, "igen")


def test_a_redacted_report_can_still_be_retracted_its_reason_kept_in_clear() -> None:
    # Given a redacted report (its key destroyed)
    report = submitted_report()
    report.redact(MUNICIPALITY, "gallring på begäran")
    new_events(report)
    # When a coordinator retracts it
    report.retract(MUNICIPALITY, "dubblettrapport")
    # Then it is retracted, by a Retracted whose reason is not sealed (there is no key to seal it with)
    [retracted] = new_events(report)
    assert isinstance(retracted, Report.RetractedAfterRedaction)
    assert sealed_paths(type(retracted)) == ()
    assert (retracted.reason, retracted.by, retracted.org) == ("dubblettrapport", "kommun-1", "kommunen")
    assert (report.retracted, report.redacted, report.count) == (True, True, 2)
    stored = make_mapper().to_stored_event(retracted, None)
    assert b"dubblettrapport" in stored.state
    # And it cannot be retracted again
    with pytest.raises(InvalidTransition, match="retracted already"):
        report.retract(MUNICIPALITY, "igen")


def test_a_redacted_reports_retraction_reason_passes_the_privacy_guard() -> None:
    # Given a redacted report
    report = submitted_report()
    report.redact(MUNICIPALITY, "gallring")
    new_events(report)
    # When the retraction's reason holds personal data (a synthetic personnummer)
    with pytest.raises(PersonalDataFound) as refused:
        report.retract(MUNICIPALITY, "dubblett, gäller 19121212-1212")
    # Then it is refused, naming the field, and nothing is recorded
    assert refused.value.field == "reason"
    assert (new_events(report), report.retracted) == ([], False)


def test_a_live_reports_retraction_reason_stays_sealed() -> None:
    # Given a report that was not redacted, when it is retracted, then its reason is sealed as before
    report = submitted_report()
    report.retract(POLICE, "dubblett")
    [retracted] = new_events(report)
    assert type(retracted) is Report.Retracted
    assert sealed_paths(type(retracted)) == ("reason",)
