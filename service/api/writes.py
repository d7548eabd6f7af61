"""What every write route answers (`{id, version, position}` with the version as ETag) and reads (If-Match)."""

from __future__ import annotations

import re

import msgspec
from litestar import Response
from litestar.exceptions import ClientException

from service.store.event_store import AppendResult

_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


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
