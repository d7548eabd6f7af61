"""Value rules: ISO weeks and coarse locations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import Invalid
from domain.location import coarsen
from domain.weeks import parse_week, shift_week, week_of, week_start


def test_weeks_are_iso_weeks_in_swedish_time() -> None:
    assert week_of(datetime(2026, 11, 22, 22, 30, tzinfo=UTC)) == "2026-W47"  # Sunday 23:30 in Sweden
    assert week_of(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "2026-W48"  # Monday 00:30
    assert week_of(datetime(2027, 1, 1, 12, tzinfo=UTC)) == "2026-W53"
    assert week_start("2026-W48") == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert shift_week("2026-W01", -1) == "2025-W52"
    assert shift_week("2026-W53", 1) == "2027-W01"


@pytest.mark.parametrize("text", ["2026-W00", "2025-W53", "2026-w47", "2026W47", "2026-W7", "0000-W01", "9999-W52"])
def test_malformed_weeks_are_refused(text: str) -> None:
    with pytest.raises(Invalid):
        parse_week("week", text)


def test_a_location_is_snapped_to_its_cell_centre() -> None:
    a = coarsen(57.75071, 14.14561)
    assert coarsen(a.lat + 0.0005, a.lon - 0.001) == a  # some tens of metres from the centre
    assert coarsen(a.lat + 0.003, a.lon) != a  # some hundreds: the next cell
    assert a.cell_m == 250
    assert abs(a.lat - 57.75071) < 250 / 111_320
    assert (a.lat, a.lon) != (57.75071, 14.14561)
    assert coarsen(57.75071, 14.14561, cell_m=1000).cell_m == 1000


@pytest.mark.parametrize(("lat", "lon"), [(60.17, 24.94), (52.5, 13.4), (70.0, 20.0), (float("nan"), 14.0)])
def test_a_location_outside_sweden_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(Invalid) as refused:
        coarsen(lat, lon)
    assert refused.value.field == "location"
