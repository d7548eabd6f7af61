"""ISO weeks such as `2026-W47`: parsing, the week of a moment, and the first day of a week."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.errors import Invalid
from domain.limits import WEEK_PATTERN

SWEDEN = ZoneInfo("Europe/Stockholm")
_WEEK = re.compile(WEEK_PATTERN)
YEARS = range(1900, 3000)
"""The years a week or a moment may fall in (far outside, date arithmetic fails)."""


def parse_week(field: str, text: str) -> str:
    """Return `text` if it is a real ISO week (`YYYY-Www`), else raise Invalid naming `field`."""
    if not _WEEK.match(text):
        raise Invalid(field, f"{text!r} is not an ISO week like 2026-W47")
    year, week = int(text[:4]), int(text[6:])
    if year not in YEARS:
        raise Invalid(field, f"must be in the years {YEARS.start} to {YEARS.stop - 1}")
    weeks_in_year = date(year, 12, 28).isocalendar().week
    if not 1 <= week <= weeks_in_year:
        raise Invalid(field, f"{year} has weeks 1 to {weeks_in_year}, not {week}")
    return text


def week_of(moment: datetime) -> str:
    """The ISO week of `moment` as seen in Sweden (a Sunday 23:30 belongs to that week)."""
    local = moment.astimezone(SWEDEN).date()
    iso = local.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_start(week: str) -> datetime:
    """Monday 00:00 Swedish time of `week` (which must already be valid), in UTC."""
    year, number = int(week[:4]), int(week[6:])
    monday = date.fromisocalendar(year, number, 1)
    return datetime(monday.year, monday.month, monday.day, tzinfo=SWEDEN).astimezone(UTC)


def shift_week(week: str, weeks: int) -> str:
    """The week `weeks` after (or, negative, before) `week`."""
    return week_of(week_start(week) + timedelta(weeks=weeks, hours=12))
