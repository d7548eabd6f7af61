"""The checks of a report's facts (the domain): when it happened, how many, from which source."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.errors import Invalid
from domain.limits import MAX_COUNT, SOURCES
from domain.weeks import YEARS, parse_week, week_of

CLOCK_SKEW = timedelta(minutes=5)  # a device clock a little ahead is not "the future"


def checked_when(
    occurred_at: datetime | None, week: str | None, now: datetime, prefix: str = ""
) -> tuple[str | None, str]:
    """(occurred_at as ISO text or None, ISO week): exactly one of the two must be given."""
    if (occurred_at is None) == (week is None):
        raise Invalid(f"{prefix}occurred_at", "give either occurred_at (a time) or week (e.g. 2026-W47)")
    if occurred_at is not None:
        if occurred_at.tzinfo is None:
            raise Invalid(f"{prefix}occurred_at", "needs a time zone, e.g. 2026-11-20T21:30:00+01:00")
        if occurred_at.year not in YEARS:
            raise Invalid(f"{prefix}occurred_at", f"must be in the years {YEARS.start} to {YEARS.stop - 1}")
        if occurred_at > now + CLOCK_SKEW:
            raise Invalid(f"{prefix}occurred_at", "is in the future")
        return occurred_at.isoformat(), week_of(occurred_at)
    assert week is not None
    parse_week(f"{prefix}week", week)
    if week > week_of(now):
        raise Invalid(f"{prefix}week", "is in the future")
    return None, week


def checked_count(count: int, field: str = "count") -> int:
    """`count`, if it is a count one report may hold."""
    if not 1 <= count <= MAX_COUNT:
        raise Invalid(field, f"must be between 1 and {MAX_COUNT}")
    return count


def checked_source(source: str, field: str = "source") -> str:
    """`source`, if it is one of the sources a report may name."""
    if source not in SOURCES:
        raise Invalid(field, f"must be one of {', '.join(SOURCES)}")
    return source
