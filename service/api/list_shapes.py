"""What the read side answers for reports, actions and the audit trail, as msgspec Structs.

The query functions in projections/ return plain dicts; the handlers convert them to these shapes (and
those of picture_shapes.py), so that the OpenAPI document describes every answer. Field names and order
are a contract with clients.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

Effect = Literal["improved", "unchanged", "worsened", "unknown"]
ActionStatus = Literal["planned", "started", "completed", "cancelled"]


class Location(msgspec.Struct):
    """The centre of the grid cell a location was coarsened to, and the cell's size in metres."""

    lat: float
    lon: float
    cell_m: int


class ReportOut(msgspec.Struct):
    """A report as it stands now."""

    id: str
    version: int
    area_id: str
    category: str
    occurred_at: str | None
    week: str
    count: int
    place: str | None
    location: Location | None
    description: str | None
    source: str
    org: str
    submitted_by: str
    status: Literal["active", "retracted"]


class ListedReport(ReportOut):
    """A report in a list: also when it was submitted, and the position of its last event."""

    submitted_at: datetime
    position: int


class ReportPage(msgspec.Struct):
    """A page of reports; `next_cursor` (None on the last page) asks for the next one."""

    reports: list[ListedReport]
    next_cursor: str | None


REPORT_COLUMNS = (
    "id", "area_id", "category", "week", "occurred_at", "count", "place", "description",
    "source", "org", "submitted_by", "status", "submitted_at", "position",
)  # fmt: skip
"""A listed report's columns in a CSV or Excel file (its location stays in the JSON)."""


def report_row(report: dict[str, Any]) -> list[Any]:
    """A listed report as a file's row: times as times (Excel shows them as dates), counts as numbers."""
    occurred = report["occurred_at"]
    return [
        datetime.fromisoformat(occurred) if isinstance(occurred, str) and c == "occurred_at" else report[c]
        for c in REPORT_COLUMNS
    ]


class LatestFollowUp(msgspec.Struct):
    """The most recent follow-up of an action."""

    effect: Effect
    note: str
    week: str
    org: str


class ListedAction(msgspec.Struct):
    """An action as listed."""

    id: str
    version: int
    area_id: str
    title: str
    description: str | None
    responsible_org: str
    status: ActionStatus
    starts_on: str | None
    ends_on: str | None
    report_ids: list[str]
    categories: list[str]
    follow_ups: int
    latest_follow_up: LatestFollowUp | None


class ActionPage(msgspec.Struct):
    """A page of actions; `next_cursor` (None on the last page) asks for the next one."""

    actions: list[ListedAction]
    next_cursor: str | None


class LinkedReport(msgspec.Struct):
    """A report an action addresses."""

    id: str
    category: str
    week: str
    count: int
    status: Literal["active", "retracted"]
    org: str


class FollowUp(msgspec.Struct):
    """One follow-up of an action."""

    n: int
    effect: Effect
    note: str
    by: str
    org: str
    week: str
    recorded_at: datetime


class ActionDetail(ListedAction):
    """An action with the reports it addresses and all its follow-ups."""

    reports: list[LinkedReport]
    follow_up_list: list[FollowUp]


class AuditEntry(msgspec.Struct):
    """One event: who shared what, when, and what it said."""

    position: int
    recorded_at: datetime
    tenant: str
    actor: str
    org: str
    event_type: str
    aggregate_type: str
    aggregate_id: str
    version: int
    area_id: str | None
    summary: dict[str, Any]


class AuditPage(msgspec.Struct):
    """A page of the audit trail; `next_cursor` (None on the last page) asks for the next one."""

    entries: list[AuditEntry]
    next_cursor: str | None
