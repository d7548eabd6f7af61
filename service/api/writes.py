"""What every write route answers (`{id, version, position}` with the version as ETag) and reads (If-Match)."""

from __future__ import annotations

import re

import msgspec
from litestar import Response
from litestar.exceptions import ClientException

from service.errors import StaleVersion
from service.idempotency import IdempotentRequest
from service.store.event_store import AppendResult

_VERSION = re.compile(r'^\s*(?P<weak>W/)?"?(\d{1,18})"?\s*$')


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
    """The version in an If-Match header (`"3"`), None without one; 400 if it is not a version.

    A weak tag (`W/"3"`) never matches: If-Match compares strongly (RFC 9110, 13.1.1), so 412.
    """
    if if_match is None:
        return None
    match = _VERSION.match(if_match)
    if not match:
        raise ClientException(f'If-Match must be a version in quotes, like "3"; got {if_match!r}')
    if match.group("weak"):
        raise StaleVersion(f'If-Match compares strongly, so a weak tag never matches: send "{match.group(2)}"')
    return int(match.group(2))


def idempotent(key: str | None, route: str, data: msgspec.Struct) -> IdempotentRequest | None:
    """A create's Idempotency-Key bound to its route (`POST /api/v1/reports`) and body; None without one."""
    if key is None:
        return None
    return IdempotentRequest(key, route, msgspec.json.encode(data))
