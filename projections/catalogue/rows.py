"""How one event changes the catalogue's rows: pure functions from the current row and the event to the new row.

No I/O: the projection (projection.py) loads the rows a batch touches and writes what these make
of them; the service applies the same functions to the few events the projection has yet to reach
(service/catalogue.py). A row is a dict of its table's columns (tables.py); a row given is never
changed, the new one is a copy.
"""

from __future__ import annotations

from typing import Any

from domain.area import Area
from domain.category import Category
from projections.generations import Recorded

Row = dict[str, Any]


def is_catalogue(event: Any) -> bool:
    """True for the events the catalogue keeps: an area's and a category's."""
    return isinstance(event, (Area.Event, Category.Event))


def area_changed(row: Row | None, r: Recorded) -> Row:
    """The area's row after `r` (`row` is None before its first event)."""
    e = r.event
    if isinstance(e, Area.Defined):
        return {
            "area_id": r.originator_id, "tenant": e.tenant, "code": e.code, "name": e.name,
            "parent_id": e.parent_id, "deso": list(e.deso), "regso": list(e.regso), "retired": False,
            "version": r.version, "first_position": r.position, "position": r.position,
        }  # fmt: skip
    if row is None:
        raise ValueError(f"the catalogue has no row for area {r.originator_id} before its {type(e).__qualname__}")
    if isinstance(e, Area.Renamed):
        return row | {"name": e.name, "version": r.version, "position": r.position}
    if isinstance(e, Area.Retired):
        return row | {"retired": True, "version": r.version, "position": r.position}
    if isinstance(e, Area.BoundarySet):  # kept by the picture; here the area's version moves on (for If-Match)
        return row | {"version": r.version, "position": r.position}
    raise TypeError(f"the catalogue does not know {type(e).__qualname__}")


def category_changed(row: Row | None, r: Recorded) -> Row:
    """The category's row after `r` (a category has one event: it was added)."""
    e = r.event
    if isinstance(e, Category.Added):
        return {
            "category_id": r.originator_id, "tenant": e.tenant, "code": e.code, "name_sv": e.name_sv,
            "name_en": e.name_en, "parent": e.parent, "position": r.position,
        }  # fmt: skip
    raise TypeError(f"the catalogue does not know {type(e).__qualname__}")


def changed(areas: dict[Any, Row], categories: dict[Any, Row], r: Recorded) -> None:
    """Apply `r` to the rows by id, in place of the old ones (any other event leaves them be)."""
    if isinstance(r.event, Area.Event):
        areas[r.originator_id] = area_changed(areas.get(r.originator_id), r)
    elif isinstance(r.event, Category.Event):
        categories[r.originator_id] = category_changed(categories.get(r.originator_id), r)
