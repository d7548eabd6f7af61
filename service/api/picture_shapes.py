"""What the picture answers, as msgspec Structs: one area now, the overview, the weekly lägesbild."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from projections.picture.trend import Trend
from service.api.list_shapes import ActionStatus, Effect, LatestFollowUp

Level = Literal["green", "yellow", "red"]


class AreaRef(msgspec.Struct):
    """An area, named."""

    id: str
    code: str
    name: str


class PictureArea(AreaRef):
    """The area of a picture, retired or not."""

    retired: bool


class Counts(msgspec.Struct):
    """Reports, and the occurrences they count."""

    reports: int
    occurrences: int


class WeekCounts(msgspec.Struct):
    """Reports and occurrences in one week (a point of a series)."""

    week: str
    reports: int
    occurrences: int


class Assessment(msgspec.Struct):
    """The area's latest published assessment."""

    week: str
    revision: int
    level: Level
    summary: str
    published_at: datetime


class OpenAction(msgspec.Struct):
    """A planned or started action of the area."""

    id: str
    title: str
    responsible_org: str
    status: ActionStatus
    starts_on: str | None
    ends_on: str | None
    latest_follow_up: LatestFollowUp | None


class AreaPicture(msgspec.Struct):
    """One area now: counts, series and trends per category, assessment, open actions, last report."""

    area: PictureArea
    week: str
    weeks: list[str]
    counts: dict[str, Counts]
    series: dict[str, list[WeekCounts]]
    trends: dict[str, Trend]
    assessment: Assessment | None
    open_actions: list[OpenAction]
    last_report_at: datetime | None
    position: int


class OverviewRow(msgspec.Struct):
    """One active area at a glance."""

    area: AreaRef
    level: Level | None
    level_week: str | None
    total: int
    trend: Trend
    open_actions: int


class Overview(msgspec.Struct):
    """Every active area at a glance (the heat map)."""

    week: str
    areas: list[OverviewRow]
    position: int


class WeeklyAssessment(msgspec.Struct):
    """The assessment published for the week."""

    revision: int
    level: Level
    summary: str


class FollowedUp(msgspec.Struct):
    """An action followed up in the week, and the effect seen."""

    title: str
    effect: Effect


class WeeklyArea(msgspec.Struct):
    """One area in the weekly lägesbild."""

    area: AreaRef
    counts: dict[str, int]
    total: int
    trend: Trend
    assessment: WeeklyAssessment | None
    actions_started: list[str]
    actions_completed: list[str]
    actions_followed_up: list[FollowedUp]


class Weekly(msgspec.Struct):
    """The weekly lägesbild: every active area."""

    week: str
    areas: list[WeeklyArea]
    position: int
