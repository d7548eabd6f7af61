"""The HTTP server the service runs on (web layer): uvicorn, configured once for `lagesbild serve` and the tests."""

from __future__ import annotations

import contextlib
import math
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from litestar import Litestar

from service.settings import Settings
from service.stopping import STOP_SIGNALS
from service.web.http_bounds import bounded_protocol
from service.web.metrics import ServiceMetrics
from service.web.proxies import TrustedProxies
from service.web.request_log import RequestLog


def server_config(app: Litestar, settings: Settings, **options: Any) -> uvicorn.Config:
    """Uvicorn's configuration for `app`: bounded HTTP/1.1 (service/http_bounds.py), no `server` banner.

    On a stop signal, requests in flight get `shutdown_grace_seconds` to finish (live streams too:
    they hold their connections until then), then they are cancelled and the lifespan shuts down.
    Outside the app: the client and scheme from trusted proxies (LAGESBILD_TRUSTED_PROXIES), then
    the request id, the access line and the request metrics. `options` are uvicorn.Config's (host,
    port, log_level...).
    """
    options.pop("access_log", None)  # the service's own access line replaces uvicorn's (service/web/request_log.py)
    metrics = getattr(app.state, "metrics", None) or ServiceMetrics(app.state)  # (a test's bare app has none)
    edge = TrustedProxies(RequestLog(app, metrics, access_log=settings.access_log), settings.trusted_proxies)
    return uvicorn.Config(
        edge,
        http=bounded_protocol(settings),
        proxy_headers=False,  # uvicorn's trusts loopback and knows no `Forwarded`: service/web/proxies.py decides
        access_log=False,
        log_config=None,  # the CLI set up logging (service/log_format.py): uvicorn's records go the same way
        ws="none",  # the service serves no WebSockets (live updates are Server-Sent Events): no upgrades
        server_header=False,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
        **options,
    )


class Server(uvicorn.Server):
    """uvicorn's server, except that once a stop signal has shut it down gracefully, `run` returns.

    uvicorn raises the signal again after its shutdown, to "trigger the expected behaviour":
    for SIGTERM, that kills the process before the caller's cleanup runs (exit 143, the embedded
    PostgreSQL left running); for SIGINT, a KeyboardInterrupt. The caller stops what it started
    and exits 0 instead.

    As it begins to stop (no new connections), `on_stop` is called: the service ends its live
    streams then (their clients reconnect, to another replica), rather than hold the stop for the
    whole grace period and be cut.
    """

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.on_stop = on_stop

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop listening, end the live streams, let requests in flight finish (within the grace), shut down."""
        if self.on_stop is not None:
            self.on_stop()
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Uvicorn's handlers while serving; the signal it raises again afterwards is ignored."""
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            with super().capture_signals():
                yield
            return
        before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
        try:
            # uvicorn restores the handlers it found (SIG_IGN), then raises the signals it caught.
            with super().capture_signals():
                yield
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)
