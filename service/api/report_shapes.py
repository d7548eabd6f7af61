"""The bodies of the report endpoints (msgspec Structs): a report, its corrections, retraction and redaction."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from domain.limits import (
    CATEGORY_CODE_MAX,
    MAX_COUNT,
    PLACE_MAX,
    REASON_MAX,
    REPORT_DESCRIPTION_MAX,
    WEEK_PATTERN,
    Source,
)
from service.api.list_shapes import ReportOut
from service.api.params import Strict

Week = Annotated[str, msgspec.Meta(pattern=WEEK_PATTERN, examples=["2026-W47"])]
Count = Annotated[int, msgspec.Meta(ge=1, le=MAX_COUNT)]
Place = Annotated[str, msgspec.Meta(max_length=PLACE_MAX)]
Description = Annotated[str, msgspec.Meta(max_length=REPORT_DESCRIPTION_MAX)]
CategoryCode = Annotated[str, msgspec.Meta(min_length=1, max_length=CATEGORY_CODE_MAX)]
Reason = Annotated[str, msgspec.Meta(max_length=REASON_MAX)]


class LocationIn(Strict):
    """A point (WGS 84). It is stored only as the centre of its grid cell, never as given."""

    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class ReportIn(Strict):
    """A situation report: give either `occurred_at` (a time with zone) or `week` (e.g. 2026-W47)."""

    area_id: UUID
    category: CategoryCode
    occurred_at: datetime | None = None
    week: Week | None = None
    count: Count = 1
    place: Place | None = None
    location: LocationIn | None = None
    description: Description | None = None
    source: Source = "own_observation"


class ReportChanges(Strict):
    """The facts to change; leave out what stays. `null` clears place, location or description."""

    area_id: UUID | UnsetType = UNSET
    category: CategoryCode | UnsetType = UNSET
    occurred_at: datetime | UnsetType | None = UNSET
    week: Week | UnsetType | None = UNSET
    count: Count | UnsetType = UNSET
    place: Place | UnsetType | None = UNSET
    location: LocationIn | UnsetType | None = UNSET
    description: Description | UnsetType | None = UNSET
    source: Source | UnsetType = UNSET


class CorrectionIn(Strict):
    """A correction: what changes and why."""

    changes: ReportChanges
    reason: Reason


class RetractionIn(Strict):
    """Why the report is withdrawn."""

    reason: Reason


class RedactionIn(Strict):
    """Why the free text is to be destroyed (kept in clear in the history: no personal data here)."""

    reason: Reason


class ReportDetail(ReportOut):
    """A report as it stands now, and whether its free text was redacted."""

    redacted: bool
