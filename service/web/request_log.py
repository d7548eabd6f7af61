"""Each request's id, access log line and metrics (HTTP edge, outside the app, after the proxy's rewrite).

The id is the caller's `X-Request-ID` when it is a safe token (at most 128 letters, digits and
`.`, `_`, `:`, `-`), else one made here; it is answered in `X-Request-ID` and set for every log
record written while the request is served. The access line (LAGESBILD_ACCESS_LOG) names the
method, the route's template, the path (never the query string), the status, the duration and
the client: never a body, never a header's value.
"""

from __future__ import annotations

import logging
import os
import re
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.log_format import REQUEST_ID
from service.web.metrics import ServiceMetrics

HEADER = b"x-request-id"
SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
UNMATCHED = "(unmatched)"
"""The route label of a request no route took (a 404 for an unknown path, a refused head)."""

access = logging.getLogger("lagesbild.access")


def request_id(scope: Scope) -> str:
    """The caller's id if it is safe to repeat, else a new one."""
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode("ascii") if SAFE_ID.fullmatch(value) else os.urandom(16).hex()
    return os.urandom(16).hex()


class RequestLog:
    """ASGI middleware: the request id, then, once answered, the access line and the request's metrics."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics, *, access_log: bool) -> None:
        self.app, self.metrics, self.access_log = app, metrics, access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with its id; measure and log it."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        token = REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = 500  # what the client gets if the app ends without answering (uvicorn's default)
        header = (HEADER, rid.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = str(scope.get("path_template") or UNMATCHED)
            method, path = str(scope.get("method", "GET")), scope.get("path", "")
            client = scope.get("client")
            address = client[0] if client else None
            self.metrics.observe_request(method, route, status, seconds)
            if self.access_log:
                access.info(
                    '%s "%s %s" %d %.1f ms %s', address or "-", method, path, status, seconds * 1000, rid,
                    extra={
                        "request_id": rid, "method": method, "route": route, "path": path, "status": status,
                        "duration_ms": round(seconds * 1000, 3), "client": address,
                    },
                )  # fmt: skip
            REQUEST_ID.reset(token)
