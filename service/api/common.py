"""What every write endpoint shares: the written-response shape and the request headers."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Response
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, HTTPException
from litestar.params import HeaderParameter, PathParameter, QueryParameter

from domain.errors import Invalid
from domain.weeks import YEARS
from projections.tenancy import TenantReaders as _TenantReaders
from service.area_lookup import AreaLookup as _AreaLookup
from service.settings import Settings as _Settings
from service.store.event_store import AppendResult
from service.store.event_store import EventStore as _EventStore
from service.web.auth import Identity as _Identity
from service.web.projection_progress import ProjectionTracker as _Tracker

_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')

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


# The dependencies the app provides (service/app.py), marked as such for Litestar.
Identity = NamedDependency[_Identity]
Store = NamedDependency[_EventStore]
Areas = NamedDependency[_AreaLookup]
Config = NamedDependency[_Settings]
Now = NamedDependency[datetime]
Tracker = NamedDependency[_Tracker]
Pool = NamedDependency[asyncpg.Pool]
Readers = NamedDependency[_TenantReaders]
READ_WAIT_SECONDS = 2.0
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
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
"""The pattern of free-text query parameters: no control characters (PostgreSQL refuses NUL)."""
WeekInPath = Annotated[str, PathParameter(pattern=r"^\d{4}-W\d{2}$", description="An ISO week, e.g. 2026-W47.")]
Cursor = Annotated[
    int | None, QueryParameter(ge=0, le=MAX_POSITION, required=False, description="The previous page's next_cursor.")
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: an unknown field is an error, not silently ignored."""


class Written(msgspec.Struct):
    """What a write did: the aggregate, its new version, and the log position of its last event."""

    id: str
    version: int
    position: int


def written(result: AppendResult, status: int, location: str | None = None) -> Response[Written]:
    """The response to a write, with the new version as ETag (for If-Match next time)."""
    headers = {"ETag": f'"{result.version}"'}
    if location:
        headers["Location"] = location
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        Written(str(result.originator_id), result.version, result.position), status_code=status, headers=headers
    )


def expected_version(if_match: str | None) -> int | None:
    """The version in an If-Match header (`"3"`), None without one; 400 if it is not a version."""
    if if_match is None:
        return None
    match = _VERSION.match(if_match)
    if not match:
        raise ClientException(f'If-Match must be a version in quotes, like "3"; got {if_match!r}')
    return int(match.group(1))


async def read_your_writes(tracker: _Tracker, projection: str, min_position: int | None) -> None:
    """Wait (up to 2 s) until `projection` has reached `min_position`; else 503 with Retry-After.

    A position no write has reached yet is 422: waiting for it would be waiting for nothing.
    """
    if min_position is None or tracker.positions.get(projection, 0) >= min_position:
        return
    if min_position > await tracker.head():
        raise Invalid("min_position", "no event has been written at this position yet; use one a write returned")
    if await tracker.wait_for(projection, min_position, within=READ_WAIT_SECONDS):
        return
    raise HTTPException(
        status_code=503,
        detail=f"the {projection} read model has not reached position {min_position} yet; retry shortly",
        headers={"Retry-After": "1"},
    )


def csv_response(header: list[str], rows: list[list[Any]], filename: str) -> Response[Any]:
    """UTF-8 CSV with a byte-order mark (so that spreadsheet programs keep å, ä and ö).

    Typed `Response[Any]`: it stands in for a handler's JSON answer when the client asked for CSV.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def wants_csv(accept: str | None) -> bool:
    """Whether the Accept header asks for CSV."""
    return bool(accept) and "text/csv" in str(accept).lower()


def check_period(since: datetime | None, until: datetime | None) -> None:
    """Refuse (422) `from`/`to` outside the years anything can have happened in (they overflowed in queries)."""
    for name, moment in (("from", since), ("to", until)):
        if moment is not None and moment.year not in YEARS:
            raise Invalid(name, f"must be in the years {YEARS.start} to {YEARS.stop - 1}")
