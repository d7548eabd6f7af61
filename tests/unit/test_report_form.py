"""The report form's reading of what was typed (web app, no I/O): times in Swedish time, weeks, counts, refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.errors import Invalid, PersonalDataFound
from domain.privacy import PHONE_NUMBER
from service.pages import report_form

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _typed(**fields: str) -> dict[str, str]:
    values = report_form.EMPTY | {"omrade": str(uuid4()), "kategori": "klotter", "kalla": "own_observation"}
    return values | {"anledning": ""} | fields


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-20 21:30", "2026-11-20T20:30:00+00:00"),  # winter: UTC+1
        ("2026-07-01T08:05", "2026-07-01T06:05:00+00:00"),  # summer: UTC+2
        ("2026-7-1 8.05", "2026-07-01T06:05:00+00:00"),
    ],
)
def test_a_time_is_read_as_swedish_time(text: str, utc: str) -> None:
    facts, errors = report_form.read(_typed(tidpunkt=text), NOW)
    assert errors == {}
    assert facts["occurred_at"].astimezone(UTC).isoformat() == utc
    assert facts["week"] is None


@pytest.mark.parametrize(("text", "week"), [("47", "2026-W47"), ("v 47", "2026-W47"), ("2025-W52", "2025-W52")])
def test_a_week_by_its_number_or_in_full(text: str, week: str) -> None:
    facts, errors = report_form.read(_typed(vecka=text), NOW)
    assert (facts["week"], facts["occurred_at"], errors) == (week, None, {})


@pytest.mark.parametrize(
    ("fields", "field_id"),
    [
        ({"tidpunkt": "2026-02-30 10:00"}, "tidpunkt"),
        ({"tidpunkt": "igår"}, "tidpunkt"),
        ({"vecka": "vecka fyrtio"}, "vecka"),
        ({"antal": "0"}, "antal"),
        ({"antal": "-2"}, "antal"),
        ({"omrade": "Råslätt"}, "omrade"),
        ({"plats": "x" * 201}, "plats"),
    ],
)
def test_what_cannot_be_read_is_named_by_its_field(fields: dict[str, str], field_id: str) -> None:
    typed = _typed(tidpunkt="2026-11-20 21:30") | fields
    if "vecka" in fields:
        typed["tidpunkt"] = ""
    _, errors = report_form.read(typed, NOW)
    assert list(errors) == [field_id]


def test_every_field_with_personal_data_is_named_at_once() -> None:
    typed = _typed(tidpunkt="2026-11-20 21:30", plats="ring 070-123 45 67", beskrivning="skriv till a@b.se")
    _, errors = report_form.read(typed, NOW)
    assert errors["plats"].startswith("Plats ser ut att innehålla ett telefonnummer. Ta bort det")
    assert errors["beskrivning"].startswith("Beskrivning ser ut att innehålla en e-postadress. Ta bort det")
    assert errors["beskrivning"].endswith("rapporter handlar om platser, inte om personer")


def test_the_domains_refusals_in_swedish_beside_their_fields() -> None:
    assert list(report_form.refusal(PersonalDataFound("changes.place", PHONE_NUMBER))) == ["plats"]
    assert report_form.refusal(Invalid("week", "is in the future")) == {
        "vecka": "Vecka ligger i framtiden. Ange när det hände – senast nu"
    }
    assert list(report_form.refusal(Invalid("reason", "must not be empty"), "aterkallelse-anledning")) == [
        "aterkallelse-anledning"
    ]
