"""A spreadsheet's rows as reports (imports): each row checked as a single report is, its id from what it is."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from domain.actor import Actor
from domain.categories import CategoryInfo
from domain.errors import Invalid
from domain.report import Report

LOCAL = ZoneInfo("Europe/Stockholm")
"""A time without an offset (as spreadsheets keep them) is Swedish time."""
NAMESPACE = UUID("6f1c1d2e-4a0b-5c53-9a1e-8d3f2b7c4e10")
COLUMNS = ("area", "category", "occurred_at", "week", "count", "place", "description", "source", "external_id")
REQUIRED = ("area", "category")
FIELD_TO_COLUMN = {"area_id": "area", "occurred_at": "occurred_at", "week": "week"}
"""The domain names a few fields other than the file does; the rest are the same."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row (or the file, row 1 being its header) cannot be imported."""

    row: int
    column: str
    message: str
    error: Invalid | None = None
    """The domain's refusal, where it was one (the pages say it in Swedish)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A row that would be stored: its number and its report."""

    row: int
    report: Report


class AreaEntry(Protocol):
    """What an import needs of an area."""

    @property
    def id(self) -> UUID: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def retired(self) -> bool: ...


class Vocabulary:
    """The partnership's areas (by code or name) and categories (by code or Swedish name), case aside."""

    def __init__(self, areas: Iterable[AreaEntry], categories: Iterable[CategoryInfo]) -> None:
        self.areas: dict[str, AreaEntry] = {}
        for area in areas:
            if not area.retired:
                self.areas.setdefault(area.code.casefold(), area)
                self.areas.setdefault(area.name.casefold(), area)
        self.categories: dict[str, str] = {}
        for category in categories:
            self.categories.setdefault(category.code.casefold(), category.code)
            self.categories.setdefault(category.name_sv.casefold(), category.code)


def check_columns(columns: Iterable[str]) -> list[Problem]:
    """Problems with the header: a required column missing, a column nobody knows."""
    given = set(columns)
    problems = [Problem(1, name, "the column is missing") for name in REQUIRED if name not in given]
    if not {"occurred_at", "week"} & given:
        problems.append(Problem(1, "occurred_at", "give a column occurred_at (a time) or week (e.g. 2026-W47)"))
    problems += [Problem(1, name, f"unknown column; use {', '.join(COLUMNS)}") for name in given - set(COLUMNS)]
    return problems


def row_report(
    number: int, cells: dict[str, str], actor: Actor, words: Vocabulary, now: datetime, occurrence: int = 1
) -> Candidate | list[Problem]:
    """The row as a report of `actor`, or every problem found in it (the domain's checks, the privacy guard too).

    `occurrence` counts the rows of the file so far with the same cells: without an external_id, two equal rows
    are two reports (two equal sightings), and the file imported again gives the same two.
    """
    problems: list[Problem] = []
    area = words.areas.get(cells.get("area", "").casefold())
    if area is None:
        problems.append(Problem(number, "area", "no active area of your partnership has this code or name"))
    category = words.categories.get(cells.get("category", "").casefold())
    if category is None:
        problems.append(Problem(number, "category", "no category has this code or Swedish name"))
    occurred_at = _time(cells.get("occurred_at", ""), number, problems)
    count = _count(cells.get("count", ""), number, problems)
    if problems or area is None or category is None:
        return problems
    try:
        report = Report.submit(
            actor,
            now=now,
            area_id=UUID(bytes=area.id.bytes),  # the catalogue's may be asyncpg's own UUID type
            category=category,
            occurred_at=occurred_at,
            week=cells.get("week") or None,
            count=count,
            place=cells.get("place") or None,
            description=cells.get("description") or None,
            source=cells.get("source") or "own_observation",
            report_id=row_id(actor, cells, occurrence),
        )
    except Invalid as refused:
        return [Problem(number, FIELD_TO_COLUMN.get(refused.field, refused.field), refused.problem, refused)]
    return Candidate(number, report)


def row_id(actor: Actor, cells: dict[str, str], occurrence: int = 1) -> UUID:
    """The same row of the same organisation gives the same report: by external_id, else by the row's content."""
    external = cells.get("external_id", "")
    parts = [actor.tenant, actor.org, "external_id", external] if external else [actor.tenant, actor.org, "row"]
    if not external:
        parts += [f"{name}={cells.get(name, '')}" for name in COLUMNS] + [str(occurrence)]
    # Each part is prefixed by its length, so no two different rows spell the same key.
    key = "".join(f"{len(part)}:{part}" for part in parts)
    return uuid5(NAMESPACE, hashlib.sha256(key.encode()).hexdigest())


def _time(text: str, number: int, problems: list[Problem]) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        problems.append(Problem(number, "occurred_at", "is not a time; write e.g. 2026-11-20 21:30"))
        return None
    return when if when.tzinfo else when.replace(tzinfo=LOCAL)


def _count(text: str, number: int, problems: list[Problem]) -> int:
    if not text:
        return 1
    try:
        return int(text)
    except ValueError:
        problems.append(Problem(number, "count", "is not a whole number"))
        return 1
