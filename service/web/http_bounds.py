"""What one client may hold of the server (web layer): uvicorn's httptools protocol, bounded.

uvicorn with httptools has no limit on a request's head and no read timeout: a client could
send an endless header, or trickle a head or a body a byte at a time, and hold memory and a
connection for as long as it liked, before any token is checked. No maintained ASGI server
does all that is needed here: uvicorn's h11 protocol bounds the head but answers 400 and has
no read timeout either; hypercorn's read timeout is per read (a trickle resets it); granian
bounds the head and the time to it, but not the body's time nor the number of connections.
So this subclass adds, with the parser's own callbacks:

- the head (request line and header fields) over `max_header_bytes`: 431, closed. What is
  still incomplete is counted as it arrives, so an endless header costs at most one read
  beyond the limit; a head completed within one read is measured when it completes.
- the head not complete `header_timeout` seconds after the connection opened or the
  request's first byte: 408 (if no answer is being sent on the connection), closed.
- the body not complete `body_timeout` seconds after the head: closed (the app, if it
  waits on the body, sees the client gone).
- more than `max_connections` open: the newcomer gets 503 and is closed before it is read.

The time between requests on a kept-alive connection stays uvicorn's keep-alive timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.settings import Settings
from service.web.security_headers import API_POLICY, COMMON_HEADERS


def _answer(status: int, title: str, detail: str, **extra: object) -> bytes:
    """A whole HTTP/1.1 answer with a problem document, after which the connection closes."""
    body = msgspec.json.encode({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra})
    headers = [
        ("content-type", "application/problem+json"),
        ("content-length", str(len(body))),
        ("connection", "close"),
        *COMMON_HEADERS,
        ("content-security-policy", API_POLICY),
    ]
    lines = [f"HTTP/1.1 {status} {title}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, bounded as the module says; `settings` is set by `bounded_protocol`."""

    settings: ClassVar[Settings]
    answers: ClassVar[dict[int, bytes]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._awaiting_head = True  # between requests, or inside a head: what arrives is head
        self._heads = 0  # heads completed on this connection
        self._head_bytes = 0  # of the head being received, in reads that held nothing else
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.settings.max_connections:
            self._refused = True
            transport.write(self.answers[503])
            transport.close()
            return
        super().connection_made(transport)
        self._arm(self.settings.header_timeout, self._head_expired)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.transport is None:  # turned away in connection_made: uvicorn never knew it
            return
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        counting, heads = self._awaiting_head, self._heads
        if counting and self._deadline is None:  # the first byte of a request on a kept-alive connection
            self._arm(self.settings.header_timeout, self._head_expired)
        super().data_received(data)
        if counting and heads == self._heads and not self._refused:  # all of it was head
            self._head_bytes += len(data)
            if self._head_bytes > self.settings.max_header_bytes:
                self._refuse(431)

    # -- parser callbacks ---------------------------------------------------------------------

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._disarm()
        self._awaiting_head, self._head_bytes = False, 0
        self._heads += 1
        # As sent, near enough: each header line adds ": " and CRLF; the request line and the empty
        # line add the method, the version and their spaces and CRLFs (16 for a GET).
        size = len(self.url) + 16 + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.settings.max_header_bytes:
            self._refuse(431)
            return
        self._arm(self.settings.body_timeout, self._body_expired)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._disarm()
        self._awaiting_head = True
        super().on_message_complete()

    # -- internals ----------------------------------------------------------------------------

    def _arm(self, seconds: float, expired: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_expired(self) -> None:
        self._deadline = None
        if self.cycle is None or self.cycle.response_complete:  # nothing else is being answered
            self._refuse(408)
        else:
            self._close()

    def _body_expired(self) -> None:
        # No answer of ours: the app has this request and may be answering it right now.
        self._deadline = None
        self._close()

    def _refuse(self, status: int) -> None:
        if not self.transport.is_closing():
            self.transport.write(self.answers[status])
        self._close()

    def _close(self) -> None:
        self._refused = True
        self._disarm()
        self.transport.close()


def bounded_protocol(settings: Settings) -> type[BoundedHttpToolsProtocol]:
    """The protocol class for uvicorn's `http` option, with the bounds `settings` ask for."""
    limit = settings.max_header_bytes

    class Bounded(BoundedHttpToolsProtocol):
        pass

    Bounded.settings = settings
    Bounded.answers = {
        408: _answer(408, "Request Timeout", f"the request's head took more than {settings.header_timeout:g} s"),
        431: _answer(431, "Request Header Fields Too Large", f"the request line and headers exceed {limit} bytes"),
        # Nothing of the request was read, so a write was surely not stored.
        503: _answer(503, "Service Unavailable", "too many open connections; try again shortly", maybe_stored=False),
    }
    return Bounded
