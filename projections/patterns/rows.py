"""How a report's events change the patterns' rows: pure functions from the current row and the event to the new one.

No I/O: projection.py loads the report rows a batch touches, passes them through `report_changed`
one event at a time, adds up the deltas and writes the result. A row given is never changed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.report import RETRACTIONS, Report
from domain.weeks import SWEDEN
from projections.generations import Recorded

Row = dict[str, Any]
"""A report as the patterns keep it: the columns of `REPORT_COLUMNS` (projection.py)."""
SlotKey = tuple[str, UUID, str, date, int]
"""A count's key: tenant, area, category, day (Swedish time), hour of day or WHOLE_WEEK."""
Delta = tuple[SlotKey, int]
"""A change to one count: its key and the occurrences to add (negative to take away)."""
WHOLE_WEEK = -1
"""The hour of a report of a whole week; its day is the week's Thursday (the day ISO weeks go by)."""
_KEPT = ("area_id", "category", "week", "occurred_at", "count")


def report_changed(row: Row | None, r: Recorded) -> tuple[Row, tuple[Delta, ...]]:
    """The report's row after `r` (`row` is None before its first event), and its changes to the counts."""
    e = r.event
    if isinstance(e, Report.Submitted):
        new: Row = {
            "report_id": r.originator_id, "tenant": e.tenant, "area_id": e.area_id, "category": e.category,
            "week": e.week, "occurred_at": e.occurred_at, "count": e.count, "active": True,
        }  # fmt: skip
        return new, moved(None, new)
    if row is None:  # the projection stops at the event, naming it
        raise LookupError(f"{type(e).__qualname__} of a report the patterns do not have")
    if isinstance(e, Report.Corrected):
        new = row | {field: change["new"] for field, change in e.changes.items() if field in _KEPT}
    elif isinstance(e, RETRACTIONS):
        new = row | {"active": False}
    elif isinstance(e, Report.Redacted):
        return row, ()  # the text goes; the facts the patterns keep stay
    else:
        raise TypeError(f"the patterns do not know {type(e).__qualname__}")
    return new, moved(row, new)


def moved(before: Row | None, after: Row) -> tuple[Delta, ...]:
    """What changes in the counts from `before` to `after`: the old slot's count out, the new one's in."""
    if before is None:  # a report submitted: most events of a catch-up, so without the Counter
        return ((slot_of(after), after["count"]),) if after["active"] else ()
    deltas: Counter[SlotKey] = Counter()
    if before["active"]:
        deltas[slot_of(before)] -= before["count"]
    if after["active"]:
        deltas[slot_of(after)] += after["count"]
    return tuple((key, n) for key, n in deltas.items() if n)


def slot_of(row: Row) -> SlotKey:
    """Where a report counts: the day and hour it happened in Swedish time, or its week's Thursday."""
    if row["occurred_at"] is not None:
        local = datetime.fromisoformat(row["occurred_at"]).astimezone(SWEDEN)
        day, hour = local.date(), local.hour
    else:
        day, hour = date.fromisocalendar(int(row["week"][:4]), int(row["week"][6:]), 4), WHOLE_WEEK
    area = (
        row["area_id"] if isinstance(row["area_id"], UUID) else UUID(str(row["area_id"]))
    )  # (as a correction names it)
    return row["tenant"], area, row["category"], day, hour
