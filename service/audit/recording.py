"""Marks the read routes: a handler middleware that puts each answered read into the read log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, get_args

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.audit.read_log import ReadLog, ReadRecord
from service.identity import Identity

Kind = Literal[
    "report",
    "reports",
    "action",
    "actions",
    "picture",
    "overview",
    "patterns",
    "cells",
    "lagesbild",
    "audit",
    "audit_reads",
    "audit_verify",
    "stream",
]
KINDS: tuple[str, ...] = get_args(Kind)


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
    identity = scope.get("state", {}).get("identity")  # cached by the guard (service/web/auth.py)
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
            roles=identity.roles,
            resource=kind,
            resource_id=None if resource_id is None else str(resource_id),
            route=f"{scope.get('method', 'GET')} {scope.get('path_template', '')}",
            path_params=path_params,
            query_string=scope.get("query_string", b""),
            status=status,
        )
    )
