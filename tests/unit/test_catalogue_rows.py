"""The catalogue's rows, given/when/then: what each area and category event makes of its row (no database)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from domain.area import Area
from domain.category import Category
from domain.report import Report
from projections.catalogue.rows import Row, area_changed, category_changed, changed, is_catalogue
from projections.generations import Recorded
from service.catalogue import Catalogue
from tests.unit.givens import MUNICIPALITY, NOW, POLICE, RASLATT, new_events
from tests.unit.read_givens import logged


def _given_area() -> tuple[Area, Row]:
    """Given: the area Öxnehaga, defined at position 1, and its row."""
    area = Area.define(MUNICIPALITY, "oxnehaga", "Öxnehaga", deso=["0680C1010"])
    [defined] = logged(*new_events(area))
    return area, area_changed(None, defined)


def test_a_defined_area_is_a_row_of_its_tenant_at_version_one() -> None:
    area = Area.define(MUNICIPALITY, "raslatt", "Råslätt", parent_id=RASLATT, deso=["0680C1010"], regso=["0680R012"])
    [defined] = logged(*new_events(area), start=5)

    row = area_changed(None, defined)

    assert row == {
        "area_id": area.id, "tenant": "jonkoping", "code": "raslatt", "name": "Råslätt", "parent_id": RASLATT,
        "deso": ["0680C1010"], "regso": ["0680R012"], "retired": False, "version": 1, "first_position": 5,
        "position": 5,
    }  # fmt: skip


def test_renaming_changes_the_name_and_version_and_keeps_the_code() -> None:
    area, given = _given_area()
    area.rename(MUNICIPALITY, "Öxnehaga centrum")
    [renamed] = logged(*new_events(area), start=9)

    row = area_changed(given, renamed)

    assert (row["code"], row["name"], row["version"], row["first_position"], row["position"]) == (
        "oxnehaga", "Öxnehaga centrum", 2, 1, 9,
    )  # fmt: skip
    assert given["name"] == "Öxnehaga"  # the row given is left as it was


def test_retiring_marks_the_row_retired() -> None:
    area, given = _given_area()
    area.retire(MUNICIPALITY, "sammanslaget")
    [retired] = logged(*new_events(area), start=3)

    row = area_changed(given, retired)

    assert (row["retired"], row["version"], row["name"]) == (True, 2, "Öxnehaga")


def test_a_boundary_moves_the_rows_version_on_and_changes_nothing_else() -> None:
    area, given = _given_area()
    square = [[14.1, 57.7], [14.2, 57.7], [14.2, 57.8], [14.1, 57.8], [14.1, 57.7]]
    area.set_boundary(MUNICIPALITY, {"type": "Polygon", "coordinates": [square]})
    [boundary] = logged(*new_events(area), start=4)

    row = area_changed(given, boundary)

    assert row == given | {"version": 2, "position": 4}


def test_a_change_to_an_area_without_a_row_is_an_error_not_a_guess() -> None:
    area, _ = _given_area()
    area.rename(MUNICIPALITY, "Nytt namn")
    [renamed] = logged(*new_events(area), start=2)

    with pytest.raises(ValueError, match="no row"):
        area_changed(None, renamed)


def test_an_added_category_is_a_row_of_its_tenant() -> None:
    category = Category.add(MUNICIPALITY, "eldning", "Eldning", "Lighting fires", "brand", frozenset())
    [added] = logged(*new_events(category), start=4)

    row = category_changed(None, added)

    assert row == {
        "category_id": category.id, "tenant": "jonkoping", "code": "eldning", "name_sv": "Eldning",
        "name_en": "Lighting fires", "parent": "brand", "position": 4,
    }  # fmt: skip


def test_changed_sorts_events_into_areas_and_categories_and_leaves_others_alone() -> None:
    area = Area.define(MUNICIPALITY, "centrum", "Centrum")
    category = Category.add(MUNICIPALITY, "eldning", "Eldning", "Lighting fires", None, frozenset())
    report = Report.submit(POLICE, now=NOW, area_id=RASLATT, category="klotter", week="2026-W47")
    recorded = logged(*new_events(area), *new_events(category), *new_events(report))
    areas: dict[Any, Row] = {}
    categories: dict[Any, Row] = {}

    for r in recorded:
        changed(areas, categories, r)

    assert [row["code"] for row in areas.values()] == ["centrum"]
    assert [row["code"] for row in categories.values()] == ["eldning"]
    assert [is_catalogue(r.event) for r in recorded] == [True, True, False]


async def test_categories_brought_up_to_the_log_pass_an_area_renamed_since() -> None:
    # The service's catalogue reads the categories at the read model's position and applies the log since:
    # an area renamed meanwhile is not its to apply (it reads no area rows, so the rename would find none).
    area = Area.define(MUNICIPALITY, "oxnehaga", "Öxnehaga", deso=["0680C1010"])
    area.collect_events()  # defined before the read model's position
    area.rename(MUNICIPALITY, "Öxnehaga centrum")
    category = Category.add(MUNICIPALITY, "eldning", "Eldning", "Lighting fires", None, frozenset())
    since = logged(*new_events(area), *new_events(category), start=10)
    catalogue = Catalogue(cast(Any, None), cast(Any, None))

    async def tail(position: int, log: object) -> list[Recorded]:
        return since

    catalogue._since = tail  # type: ignore[method-assign]
    rows = await catalogue._brought_up("jonkoping", 9, [], "category_id", 1, None)
    assert [row["code"] for row in rows] == ["eldning"]
