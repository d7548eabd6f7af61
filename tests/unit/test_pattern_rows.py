"""The patterns' rows, given/when/then: where a report counts, and how its events move or remove that count."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.report import Report
from projections.patterns.queries import months_back
from projections.patterns.rows import WHOLE_WEEK, Row, report_changed
from tests.unit.givens import MUNICIPALITY, NOW, OXNEHAGA, POLICE, RASLATT, new_events
from tests.unit.read_givens import logged

FRIDAY_EVENING = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)  # 22:30 in Sweden (winter time)


def _given_report(**overrides: Any) -> tuple[Report, Row]:
    """Given: a report of 2 occurrences on a Friday evening, and the row the patterns made of it."""
    facts: dict[str, Any] = {"area_id": RASLATT, "category": "klotter", "occurred_at": FRIDAY_EVENING, "count": 2}
    report = Report.submit(POLICE, now=NOW, **(facts | overrides))
    [submitted] = logged(*new_events(report))
    row, _ = report_changed(None, submitted)
    return report, row


def test_a_report_with_a_time_counts_on_its_swedish_day_and_hour() -> None:
    report = Report.submit(
        POLICE, now=NOW, area_id=RASLATT, category="klotter", occurred_at=datetime(2026, 7, 4, 22, 15, tzinfo=UTC),
        count=3,
    )  # fmt: skip
    [submitted] = logged(*new_events(report))

    row, deltas = report_changed(None, submitted)

    assert (row["report_id"], row["active"], row["count"]) == (report.id, True, 3)
    assert deltas == ((("jonkoping", RASLATT, "klotter", date(2026, 7, 5), 0), 3),)  # summer time: Sunday 00:15


def test_a_report_of_a_whole_week_counts_apart_on_the_weeks_thursday() -> None:
    report = Report.submit(POLICE, now=NOW, area_id=RASLATT, category="klotter", week="2026-W01", count=4)
    [submitted] = logged(*new_events(report))

    _, deltas = report_changed(None, submitted)

    assert deltas == ((("jonkoping", RASLATT, "klotter", date(2026, 1, 1), WHOLE_WEEK), 4),)


def test_correcting_the_time_moves_the_occurrences_to_the_new_hour() -> None:
    report, given = _given_report()
    report.correct(POLICE, {"occurred_at": datetime(2026, 11, 21, 2, 0, tzinfo=UTC)}, "fel tid", NOW)
    [corrected] = logged(*new_events(report), start=2)

    row, deltas = report_changed(given, corrected)

    assert deltas == (
        (("jonkoping", RASLATT, "klotter", date(2026, 11, 20), 22), -2),
        (("jonkoping", RASLATT, "klotter", date(2026, 11, 21), 3), 2),
    )
    assert given["occurred_at"] == FRIDAY_EVENING.isoformat()  # the row given stays as it was
    assert row["occurred_at"] != given["occurred_at"]


def test_correcting_area_category_and_count_moves_and_changes_the_occurrences() -> None:
    report, given = _given_report()
    report.correct(POLICE, {"area_id": OXNEHAGA, "category": "skadegörelse", "count": 5}, "fel", NOW)
    [corrected] = logged(*new_events(report), start=2)

    _, deltas = report_changed(given, corrected)

    assert deltas == (
        (("jonkoping", RASLATT, "klotter", date(2026, 11, 20), 22), -2),
        (("jonkoping", OXNEHAGA, "skadegörelse", date(2026, 11, 20), 22), 5),
    )


def test_a_correction_of_text_only_leaves_the_counts() -> None:
    report, given = _given_report()
    report.correct(POLICE, {"place": "Torget"}, "tydligare", NOW)
    [corrected] = logged(*new_events(report), start=2)

    assert report_changed(given, corrected)[1] == ()


def test_a_retraction_removes_the_occurrences_and_a_later_correction_counts_nothing() -> None:
    report, given = _given_report()
    report.retract(POLICE, "dubblett")
    [retracted] = logged(*new_events(report), start=2)

    row, deltas = report_changed(given, retracted)

    assert row["active"] is False
    assert deltas == ((("jonkoping", RASLATT, "klotter", date(2026, 11, 20), 22), -2),)
    other, _ = _given_report()
    other.correct(POLICE, {"count": 7}, "räknade fel", NOW)
    [corrected] = logged(*new_events(other), start=3)
    assert report_changed(row, corrected)[1] == ()


def test_a_redaction_keeps_the_counts() -> None:
    report, given = _given_report()
    report.redact(MUNICIPALITY, "gallring")
    [redacted] = logged(*new_events(report), start=2)

    assert report_changed(given, redacted) == (given, ())


def test_an_event_of_a_report_the_patterns_do_not_have_stops_the_projection() -> None:
    report, _ = _given_report()
    report.retract(POLICE, "dubblett")
    [retracted] = logged(*new_events(report), start=2)
    with pytest.raises(LookupError, match="Retracted of a report"):
        report_changed(None, retracted)


def test_the_yearly_wheel_is_the_twelve_months_ending_with_the_last() -> None:
    months = months_back(date(2026, 2, 14))

    assert (len(months), months[0], months[-1]) == (12, date(2025, 3, 1), date(2026, 2, 1))
