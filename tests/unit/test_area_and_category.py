"""The Area and Category aggregates, given/when/then."""

from __future__ import annotations

import pytest

from domain.area import Area, area_id
from domain.category import Category, category_id
from domain.errors import Invalid, InvalidTransition
from tests.unit.givens import MUNICIPALITY, new_events

ADMIN = MUNICIPALITY


def test_define_gives_an_id_that_follows_from_tenant_and_code() -> None:
    area = Area.define(ADMIN, "raslatt", "Råslätt", deso=["0680C1010"], regso=["0680R012"])
    [defined] = new_events(area)
    assert isinstance(defined, Area.Defined)
    assert area.id == area_id("jonkoping", "raslatt") != area_id("other", "raslatt")
    assert (defined.name, defined.deso, defined.regso, defined.by) == (
        "Råslätt",
        ["0680C1010"],
        ["0680R012"],
        "kommun-1",
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "Råslätt"}, "code"),
        ({"code": "x"}, "code"),
        ({"name": " "}, "name"),
        ({"deso": ["0680"]}, "deso[0]"),
        ({"regso": ["0680R012", "R12"]}, "regso[1]"),
    ],
)
def test_define_refuses_bad_values(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"code": "raslatt", "name": "Råslätt"} | kwargs
    with pytest.raises(Invalid) as refused:
        Area.define(ADMIN, **values)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_rename_and_retire() -> None:
    area = Area.define(ADMIN, "centrum", "Centrum")
    new_events(area)
    area.rename(ADMIN, "Jönköpings centrum")
    area.retire(ADMIN, "slogs ihop med Väster")
    renamed, retired = new_events(area)
    assert isinstance(renamed, Area.Renamed)
    assert isinstance(retired, Area.Retired)
    assert (area.name, area.code, area.retired) == ("Jönköpings centrum", "centrum", True)
    with pytest.raises(InvalidTransition):
        area.retire(ADMIN, "igen")
    with pytest.raises(Invalid):
        area.rename(ADMIN, "Jönköpings centrum")


def test_a_tenant_adds_a_category_under_a_default_one() -> None:
    category = Category.add(ADMIN, "eldning", "Eldning", "Lighting fires", "brand", frozenset())
    [added] = new_events(category)
    assert isinstance(added, Category.Added)
    assert category.id == category_id("jonkoping", "eldning")
    assert (added.parent, added.name_sv) == ("brand", "Eldning")


@pytest.mark.parametrize(
    ("code", "parent", "known", "field"),
    [
        ("klotter", None, frozenset(), "code"),  # a default code
        ("eldning", None, frozenset({"eldning"}), "code"),  # the tenant has it
        ("Eldning", None, frozenset(), "code"),
        ("eldning", "finns-inte", frozenset(), "parent"),
    ],
)
def test_adding_a_category_is_refused(code: str, parent: str | None, known: frozenset[str], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        Category.add(ADMIN, code, "Namn", "Name", parent, known)
    assert refused.value.field == field


SQUARE = {"type": "Polygon", "coordinates": [[[14.1, 57.7], [14.2, 57.7], [14.2, 57.8], [14.1, 57.8], [14.1, 57.7]]]}


def test_an_area_gets_a_boundary_kept_as_given_in_floats() -> None:
    area = Area.define(ADMIN, "raslatt", "Råslätt")
    new_events(area)
    area.set_boundary(ADMIN, SQUARE)
    [boundary_set] = new_events(area)
    assert isinstance(boundary_set, Area.BoundarySet)
    assert boundary_set.geometry == SQUARE
    assert area.boundary == SQUARE
    with pytest.raises(Invalid):  # the same again changes nothing
        area.set_boundary(ADMIN, SQUARE)


_RING = [[14.1, 57.7], [14.2, 57.7], [14.2, 57.8], [14.1, 57.8]]


@pytest.mark.parametrize(
    ("geometry", "field", "words"),
    [
        ({"type": "Point", "coordinates": [14.1, 57.7]}, "type", "Polygon"),
        ({"type": "Polygon", "coordinates": []}, "coordinates", "no area"),
        ({"type": "Polygon", "coordinates": [_RING]}, "coordinates[0]", "not closed"),
        ({"type": "Polygon", "coordinates": [[*_RING, [2.35, 48.85]]]}, "coordinates[0][4]", "outside Sweden"),
        ({"type": "Polygon", "coordinates": [[[14.1, 57.7], [14.2, 57.8], [14.2, 57.7], [14.1, 57.8], [14.1, 57.7]]]},
         "coordinates", "Self-intersection"),
        ({"type": "Polygon", "coordinates": [[[14.1, 57.7], [14.2, 57.7], [14.3, 57.7], [14.1, 57.7]]]},
         "coordinates", ""),
        ({"type": "MultiPolygon", "coordinates": [[[*_RING, _RING[0]]], [_RING]]}, "coordinates[1][0]", "not closed"),
    ],
)  # fmt: skip
def test_a_bad_boundary_is_refused_naming_the_field(geometry: dict[str, object], field: str, words: str) -> None:
    area = Area.define(ADMIN, "raslatt", "Råslätt")
    with pytest.raises(Invalid) as refused:
        area.set_boundary(ADMIN, geometry)
    assert refused.value.field == field
    assert words in refused.value.problem


def test_a_boundary_of_too_many_points_is_refused() -> None:
    ring = [[14.0 + i / 10_000, 57.0 + (i % 2) / 1000] for i in range(5_001)]
    ring += [[14.0, 57.5], ring[0]]
    with pytest.raises(Invalid) as refused:
        Area.define(ADMIN, "raslatt", "Råslätt").set_boundary(ADMIN, {"type": "Polygon", "coordinates": [ring]})
    assert (refused.value.field, "5000 points" in refused.value.problem) == ("coordinates", True)
