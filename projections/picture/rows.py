"""How one event changes the picture's rows: pure functions from the current row and the event to the new row.

No I/O: the projection (projection.py) loads the rows a batch touches, passes them through these
one event at a time, and writes the result. A row is a dict of its table's columns (tables.py);
a row given is never changed, the new one is a copy. The weekly counts change by deltas, which
the projection adds up over a batch and adds to the table in one statement.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from domain.action import Action
from domain.area import Area
from domain.assessment import Assessment
from domain.boundary import bounds
from domain.report import RETRACTIONS, Report
from domain.sealing import REDACTED
from domain.weeks import week_of
from projections.generations import Recorded

Row = dict[str, Any]
CountKey = tuple[str, UUID, str, str]
"""A weekly count's key: tenant, area, week, category."""
Delta = tuple[CountKey, int, int]
"""A change to one weekly count: its key, reports, occurrences (negative to take away)."""

_STATUS = {Action.Started: "started", Action.Completed: "completed", Action.Cancelled: "cancelled"}


def report_changed(row: Row | None, r: Recorded) -> tuple[Row, tuple[Delta, ...]]:
    """The report's row after `r` (`row` is None before its first event), and its changes to the weekly counts."""
    e, pos = r.event, r.position
    if isinstance(e, Report.Submitted):
        new: Row = {
            "report_id": r.originator_id, "tenant": e.tenant, "area_id": e.area_id, "category": e.category,
            "week": e.week, "count": e.count, "occurred_at": e.occurred_at, "place": e.place,
            "description": e.description, "location": e.location, "source": e.source, "org": e.org,
            "submitted_by": e.by, "status": "active", "submitted_at": r.recorded_at, "first_position": pos,
            "position": pos, "version": r.version,
        }  # fmt: skip
        return new, (((e.tenant, e.area_id, e.week, e.category), 1, e.count),)
    row = _known(row, e, "a report")
    if isinstance(e, Report.Corrected):
        new = row | {field: change["new"] for field, change in e.changes.items()}
        new["position"], new["version"] = pos, r.version
        if row["status"] != "active":
            return new, ()
        return new, (_counted(row, -1), _counted(new, +1))
    if isinstance(e, RETRACTIONS):
        return row | {"status": "retracted", "position": pos, "version": r.version}, (_counted(row, -1),)
    if isinstance(e, Report.Redacted):
        new = row | _redacted(row, ("place", "description"))
        new["position"], new["version"] = pos, r.version
        return new, ()
    raise TypeError(f"the picture does not know {type(e).__qualname__}")


def action_changed(row: Row | None, r: Recorded) -> tuple[Row, Row | None]:
    """The action's row after `r` (`row` is None before its first event), and the follow-up row it records, if any."""
    e, pos = r.event, r.position
    if isinstance(e, Action.Planned):
        new: Row = {
            "action_id": r.originator_id, "tenant": e.tenant, "area_id": e.area_id, "title": e.title,
            "description": e.description, "responsible_org": e.responsible_org, "status": "planned",
            "starts_on": e.starts_on, "ends_on": e.ends_on, "report_ids": e.report_ids,
            "categories": e.categories, "planned_week": week_of(r.recorded_at), "started_week": None,
            "completed_week": None, "cancelled_week": None, "follow_ups": 0, "last_follow_up": None,
            "first_position": pos, "position": pos, "version": r.version,
        }  # fmt: skip
        return new, None
    row = _known(row, e, "an action")
    if isinstance(e, Action.StatusChanged):
        status = _STATUS[type(e)]
        changes = {"status": status, f"{status}_week": week_of(r.recorded_at), "position": pos, "version": r.version}
        return row | changes, None
    if isinstance(e, Action.FollowedUp):
        follow_up = {
            "action_id": r.originator_id, "n": row["follow_ups"] + 1, "tenant": e.tenant, "area_id": row["area_id"],
            "effect": e.effect, "note": e.note, "by": e.by, "org": e.org, "week": week_of(r.recorded_at),
            "recorded_at": r.recorded_at, "position": pos,
        }  # fmt: skip
        latest = {k: follow_up[k] for k in ("effect", "note", "week", "org")}
        changes = {"follow_ups": follow_up["n"], "last_follow_up": latest, "position": pos, "version": r.version}
        return row | changes, follow_up
    if isinstance(e, Action.Redacted):
        new = row | _redacted(row, ("description",))
        new["position"], new["version"] = pos, r.version
        if row["last_follow_up"] is not None:
            new["last_follow_up"] = _parsed(row["last_follow_up"]) | {"note": REDACTED}
        return new, None
    raise TypeError(f"the picture does not know {type(e).__qualname__}")


def follow_up_redacted(follow_up: Row) -> Row:
    """A follow-up of a redacted action: its note reads REDACTED (as a rebuild would show it)."""
    return follow_up | {"note": REDACTED}


def area_changed(row: Row | None, r: Recorded) -> Row:
    """The area's row after `r` (`row` is None before its first event)."""
    e = r.event
    if isinstance(e, Area.Defined):
        return {
            "area_id": r.originator_id, "tenant": e.tenant, "code": e.code, "name": e.name, "retired": False,
            "position": r.position, "version": r.version,
        }  # fmt: skip
    row = _known(row, e, "an area")
    if isinstance(e, Area.Renamed):
        return row | {"name": e.name, "position": r.position, "version": r.version}
    if isinstance(e, Area.Retired):
        return row | {"retired": True, "position": r.position, "version": r.version}
    if isinstance(e, Area.BoundarySet):  # its own row (boundary_set); the area's row only moves on
        return row | {"position": r.position, "version": r.version}
    raise TypeError(f"the picture does not know {type(e).__qualname__}")


def boundary_set(r: Recorded) -> Row:
    """The area's boundary row after `r` (it replaces any earlier one), with its bounding box for lookups."""
    e = r.event
    if not isinstance(e, Area.BoundarySet):
        raise TypeError(f"a boundary row comes from Area.BoundarySet, not {type(e).__qualname__}")
    west, south, east, north = bounds(e.geometry)
    return {
        "area_id": r.originator_id, "tenant": e.tenant, "geometry": e.geometry, "west": west, "south": south,
        "east": east, "north": north, "position": r.position,
    }  # fmt: skip


def assessment_published(r: Recorded) -> tuple[tuple[str, UUID, str], Row]:
    """The published assessment's key (tenant, area, week) and row; it replaces the week's earlier one."""
    e = r.event
    if not isinstance(e, Assessment.Published):
        raise TypeError(f"the picture keeps published assessments only, not {type(e).__qualname__}")
    return (e.tenant, e.area_id, e.week), {
        "tenant": e.tenant, "area_id": e.area_id, "week": e.week, "revision": e.revision, "level": e.level,
        "summary": e.summary, "published_at": r.recorded_at, "by": e.by, "org": e.org, "position": r.position,
    }  # fmt: skip


def _known(row: Row | None, e: Any, what: str) -> Row:
    if row is None:  # the projection stops at the event, naming it
        raise LookupError(f"{type(e).__qualname__} of {what} the picture does not have")
    return row


def _counted(report: Row, sign: int) -> Delta:
    key = (report["tenant"], report["area_id"], report["week"], report["category"])
    return key, sign, sign * report["count"]


def _redacted(row: Row, fields: tuple[str, ...]) -> Row:
    """What a rebuild would hold once the key is gone: REDACTED where there was text."""
    return {field: REDACTED for field in fields if row[field] is not None}


def _parsed(value: Any) -> Row:
    """A jsonb value as loaded (text) or as made in this batch (a dict)."""
    parsed: Row = json.loads(value) if isinstance(value, str) else value
    return parsed
