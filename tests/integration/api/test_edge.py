"""The HTTP edge over real HTTP: trusted proxies' headers, the request id, the access line, the metrics per route."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Token, report_body
from tests.support.servers import serving


async def _served(database_dsn: str, data_dir: Path, trusted: str) -> AsyncIterator[httpx.AsyncClient]:
    env = {"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_TRUSTED_PROXIES": trusted}
    settings = Settings.from_env(env)
    async with serving(create_app(settings, database_dsn), settings) as http:
        yield http


@pytest.fixture
async def behind_proxy(database_dsn: str, data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app with this test's client (127.0.0.1) as a trusted proxy."""
    async for http in _served(database_dsn, data_dir, "10.0.0.0/8, 127.0.0.1"):
        yield http


@pytest.fixture
async def no_proxy(database_dsn: str, data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app trusting a proxy network this test's client is not in."""
    async for http in _served(database_dsn, data_dir, "10.0.0.0/8"):
        yield http


async def _client_logged(http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, headers: dict[str, str]) -> str:
    """The client address the access line names for a request with `headers`."""
    rid = uuid.uuid4().hex
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="lagesbild.access"):
        assert (await http.get("/health", headers=headers | {"X-Request-ID": rid})).status_code == 200
    (line,) = [r for r in caplog.records if r.name == "lagesbild.access" and getattr(r, "request_id", None) == rid]
    assert (line.status, line.route, line.method) == (200, "/health", "GET")  # type: ignore[attr-defined]
    return str(line.client)  # type: ignore[attr-defined]


NAMED = [
    ({"X-Forwarded-For": "203.0.113.7"}, "203.0.113.7"),
    ({"X-Forwarded-For": "198.51.100.9, 203.0.113.7"}, "203.0.113.7"),  # the nearest untrusted hop
    ({"X-Forwarded-For": "203.0.113.7, 10.1.2.3"}, "203.0.113.7"),  # past a trusted proxy in the chain
    ({"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"}, "198.51.100.9"),
    ({"Forwarded": 'for="[2001:db8::7]:4711";proto=https'}, "2001:db8::7"),
    ({"Forwarded": "for=192.0.2.60;proto=http, for=10.1.2.3", "X-Forwarded-For": "198.51.100.1"}, "192.0.2.60"),
    ({"X-Forwarded-For": "unknown"}, "127.0.0.1"),
    ({"Forwarded": "for=_hidden"}, "127.0.0.1"),
]


async def test_a_trusted_proxy_names_the_client(
    behind_proxy: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    for headers, client in NAMED:
        assert await _client_logged(behind_proxy, caplog, headers) == client, headers


async def test_an_untrusted_peer_cannot_name_a_client(
    no_proxy: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    for headers in ({"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=203.0.113.7;proto=https"}):
        assert await _client_logged(no_proxy, caplog, headers) == "127.0.0.1"


async def _cookies(http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    """The cookies /login sets for a first visit with `headers`, lower-cased."""
    http.cookies.clear()
    return (await http.get("/login", headers=headers)).headers["set-cookie"].lower()


async def test_the_scheme_a_trusted_proxy_names_makes_the_cookies_secure(
    behind_proxy: httpx.AsyncClient, no_proxy: httpx.AsyncClient
) -> None:
    # The service listens on loopback (plain HTTP in development): Secure only for what came by HTTPS.
    assert "secure" not in await _cookies(behind_proxy)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    assert "; secure" in await _cookies(behind_proxy, https)
    assert "; secure" in await _cookies(behind_proxy, {"Forwarded": "for=127.0.0.1;proto=https"})
    assert "; secure" in await _cookies(behind_proxy, {"X-Forwarded-For": "203.0.113.7"})  # plain HTTP, off this host
    assert "secure" not in await _cookies(no_proxy, https)


async def test_a_request_id_is_answered_back_if_safe_else_replaced(behind_proxy: httpx.AsyncClient) -> None:
    for given in ["abc-123", "0f1e2d3c.4b5a:6978_", "a" * 128]:
        answer = await behind_proxy.get("/no-such-page", headers={"X-Request-ID": given})
        assert answer.status_code == 404
        assert answer.headers["x-request-id"] == given
    for unsafe in [None, "", "a" * 129, "ett id", "id\u00e5", "x;y", "<script>"]:
        headers = {} if unsafe is None else {b"x-request-id": unsafe.encode()}
        answered = (await behind_proxy.get("/health", headers=headers)).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), unsafe


async def test_metrics_count_requests_per_route_template_and_group_commits(
    behind_proxy: httpx.AsyncClient, auth: Token
) -> None:
    code = f"omrade-{uuid.uuid4().hex[:8]}"
    area = await behind_proxy.post("/api/v1/areas", json={"code": code, "name": "Råslätt"}, headers=auth("admin"))
    assert area.status_code == 201, area.text
    written = await behind_proxy.post("/api/v1/reports", json=report_body(area.json()["id"]), headers=auth("reporter"))
    assert written.status_code == 201, written.text
    missing = uuid.uuid4()
    assert (await behind_proxy.get(f"/api/v1/reports/{missing}", headers=auth("reporter"))).status_code == 404
    text = (await behind_proxy.get("/metrics")).text
    assert str(missing) not in text  # a template, never the raw path
    assert re.search(
        r'lagesbild_http_requests_total\{method="GET",route="/api/v1/reports/\{[^}]+\}",status="404"\} 1', text
    )
    assert re.search(
        r'lagesbild_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="/api/v1/reports"', text
    )
    assert float(re.findall(r"^lagesbild_group_commit_appends_count (\S+)$", text, re.M)[0]) >= 2
    assert float(re.findall(r"^lagesbild_append_events_sum (\S+)$", text, re.M)[0]) >= 2
    assert re.search(r'^lagesbild_db_pool_max\{pool="queries"\} 10\.0$', text, re.M)
    assert re.search(r'^lagesbild_db_pool_in_use\{pool="readers"\} \d', text, re.M)
    assert 'lagesbild_projection_lag_events{projection="picture"}' in text
    assert "lagesbild_read_log_dropped_total 0.0" in text
