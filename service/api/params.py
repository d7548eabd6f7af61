"""What the API's routes take besides a body: headers, query and path parameters, and the base of bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar.params import HeaderParameter, PathParameter, QueryParameter

from domain.errors import Invalid
from domain.limits import WEEK_PATTERN
from domain.weeks import YEARS

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Send the same key again to retry safely: the first result comes back, nothing new is stored.",
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        max_length=40,
        description='The version you saw, e.g. "3". If it has changed meanwhile: 412 and nothing is stored.',
    ),
]
Accept = Annotated[str | None, HeaderParameter(name="Accept", required=False)]

MAX_POSITION = 2**63 - 1  # positions are PostgreSQL bigints
MinPosition = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=MAX_POSITION,
        required=False,
        description="Wait (up to 2 s) until the read model has reached this position (one a write returned).",
    ),
]
After = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=MAX_POSITION,
        required=False,
        description="Send the changes after this position: the `position` of the picture you show.",
    ),
]
LastEventId = Annotated[
    str | None,
    HeaderParameter(
        name="Last-Event-ID",
        required=False,
        max_length=18,  # within a bigint
        pattern=r"^[0-9]+$",
        description="A reconnecting EventSource's: the position of the last change it got; the stream goes on after.",
    ),
]
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
"""The pattern of free-text query parameters: no control characters (PostgreSQL refuses NUL)."""
WeekInPath = Annotated[str, PathParameter(pattern=WEEK_PATTERN, description="An ISO week, e.g. 2026-W47.")]
WeekInQuery = Annotated[str | None, QueryParameter(pattern=WEEK_PATTERN, required=False)]
Cursor = Annotated[
    int | None, QueryParameter(ge=0, le=MAX_POSITION, required=False, description="The previous page's next_cursor.")
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: an unknown field is an error, not silently ignored."""


def check_period(since: datetime | None, until: datetime | None) -> None:
    """Refuse (422) `from`/`to` outside the years anything can have happened in (they overflowed in queries)."""
    for name, moment in (("from", since), ("to", until)):
        if moment is not None and moment.year not in YEARS:
            raise Invalid(name, f"must be in the years {YEARS.start} to {YEARS.stop - 1}")
