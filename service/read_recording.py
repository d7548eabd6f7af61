"""Marks the read routes: a handler middleware that puts each answered read into the read log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, get_args
from urllib.parse import parse_qsl

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.auth import Identity
from service.read_log import ReadLog, ReadRecord

Kind = Literal[
    "report", "reports", "action", "actions", "picture", "overview", "lagesbild", "audit", "audit_reads", "stream"
]
KINDS: tuple[str, ...] = get_args(Kind)
# A caller must not be able to fill the log with parameters the handlers ignore anyway:
_MAX_QUERY_BYTES = 4096  # of the query string, at most this much is looked at,
_MAX_PARAMS = 20  # of its parameters at most this many kept,
_MAX_CHARS = 200  # and each key and value cut at this length.


def recorded_status(status: int) -> bool:
    """Which answers are recorded: data read (2xx), and refusals to a caller we know (403, 404).

    A 404 tells an auditor who asked for an id that is not theirs to see; a 403 who tried a
    resource their role does not open (the audit trail, this log). A 401 has no verified
    caller to name (the access log has it); 400/422 and 5xx read nothing.
    """
    return 200 <= status < 300 or status in (403, 404)


class RecordedRead:
    """Handler middleware recording reads of one kind: `@get(..., middleware=[recorded("report")])`.

    It only watches the response's start line (the status), never the body, and only hands a
    record to the read log's buffer: the read does not wait for the record to be written.
    """

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def __call__(self, app: ASGIApp) -> ASGIApp:
        """Wrap the route's ASGI app."""
        kind = self.kind

        async def record_read(scope: Scope, receive: Receive, send: Send) -> None:
            async def send_and_record(message: Message) -> None:
                if message["type"] == "http.response.start" and recorded_status(message["status"]):
                    _record(scope, kind, message["status"])
                await send(message)

            await app(scope, receive, send_and_record)

        return record_read


def recorded(kind: Kind) -> RecordedRead:
    """Mark a read route: its answered reads are recorded as reads of `kind`."""
    return RecordedRead(kind)


def _record(scope: Scope, kind: str, status: int) -> None:
    identity = scope.get("state", {}).get("identity")  # cached by the guard (service/auth.py)
    if not isinstance(identity, Identity):
        return
    read_log: ReadLog = scope["litestar_app"].state.read_log
    path_params = scope.get("path_params") or {}
    resource_id = next(iter(path_params.values()), None)
    read_log.record(
        ReadRecord(
            read_at=datetime.now(UTC),
            tenant=identity.tenant,
            actor=identity.sub,
            org=identity.org,
            roles=sorted(identity.roles),
            resource=kind,
            resource_id=None if resource_id is None else str(resource_id),
            route=f"{scope.get('method', 'GET')} {scope.get('path_template', '')}",
            path_params=path_params,
            query_params=query_params(scope.get("query_string", b"")),
            status=status,
        )
    )


def query_params(query_string: bytes) -> dict[str, Any]:
    """The query parameters as sent (a repeated one as a list), bounded in number and length."""
    if not query_string:
        return {}
    params: dict[str, Any] = {}
    text = query_string[:_MAX_QUERY_BYTES].decode("utf-8", "replace")
    pairs = parse_qsl(text, keep_blank_values=True)
    for key, value in pairs[:_MAX_PARAMS]:
        key, value = key[:_MAX_CHARS], value[:_MAX_CHARS]
        if key not in params:
            params[key] = value
        elif isinstance(params[key], list):
            params[key].append(value)
        else:
            params[key] = [params[key], value]
    return params
