"""The picture's stream goes on from a position: `after` (the picture a client shows) and `Last-Event-ID`."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Token, report_body
from tests.support.server import serving


@pytest.fixture(scope="module")
def base(database_dsn: str, data_dir: Path) -> Iterator[str]:
    """The whole app behind a real HTTP server (an event stream never ends, which a test client waits for)."""
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    with serving(create_app(settings, database_dsn)) as url:
        yield url


async def _changes(stream: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    async for line in stream.aiter_lines():
        if line.startswith("data:"):
            yield json.loads(line.removeprefix("data:").strip())


async def _report(http: httpx.AsyncClient, auth: Token, area: str) -> int:
    """A report of this week in `area`, in the picture when this returns: its position."""
    body = report_body(area, occurred_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())
    written = (await http.post("/api/v1/reports", json=body, headers=auth("reporter"))).json()
    seen = await http.get("/api/v1/picture", params={"min_position": written["position"]}, headers=auth("reporter"))
    assert seen.status_code == 200, seen.text
    return int(written["position"])


async def _area(http: httpx.AsyncClient, auth: Token) -> str:
    body = {"code": f"resume-{uuid.uuid4().hex[:6]}", "name": "Centrum"}
    return str((await http.post("/api/v1/areas", json=body, headers=auth("admin"))).json()["id"])


async def test_after_a_position_the_changes_since_come_at_once(base: str, auth: Token) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        area = await _area(http, auth)
        shown = (await http.get("/api/v1/picture", headers=auth("auditor"))).json()["position"]
        written = await _report(http, auth, area)  # after the picture shown, before the stream opens
        params = {"after": shown}
        async with http.stream("GET", "/api/v1/stream", params=params, headers=auth("auditor")) as stream:
            async for change in _changes(stream):
                assert change["position"] > shown
                if change["area_id"] == area:
                    break
    assert change["position"] >= written
    assert (change["reports"], change["occurrences"]) == (1, 2)


async def test_a_reconnecting_client_gets_what_came_after_its_last_event(base: str, auth: Token) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        area = await _area(http, auth)
        last = await _report(http, auth, area)
        # Last-Event-ID goes before `after`: what came up to it (every area's change so far) is not sent again.
        headers = auth("auditor") | {"Last-Event-ID": str(last)}
        async with http.stream("GET", "/api/v1/stream", params={"after": 0}, headers=headers) as stream:
            written = await _report(http, auth, area)
            first = await anext(_changes(stream))
    assert first["area_id"] == area
    assert first["position"] >= written > last
    assert (first["reports"], first["occurrences"]) == (2, 4)


@pytest.mark.parametrize(
    ("params", "headers", "field"),
    [({"after": -1}, {}, "after"), ({}, {"Last-Event-ID": "abc"}, "Last-Event-ID")],
)
async def test_a_position_that_is_not_one_is_refused(
    base: str, auth: Token, params: dict[str, Any], headers: dict[str, str], field: str
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        answer = await http.get("/api/v1/stream", params=params, headers=auth("auditor") | headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in answer.text


async def _first_change_of(http: httpx.AsyncClient, auth: Token, area: str, after: int) -> dict[str, Any]:
    """The stream's first change of `area` after position `after`."""
    async with http.stream("GET", "/api/v1/stream", params={"after": after}, headers=auth("auditor")) as stream:
        async for change in _changes(stream):
            if change["area_id"] == area:
                return change
    raise AssertionError("the stream ended")


async def test_a_published_assessment_and_an_action_change_the_area_as_the_overview_shows_it(
    base: str, auth: Token
) -> None:
    coordinator = auth("coordinator", org="kommunen")
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        area = await _area(http, auth)
        before = await _report(http, auth, area)
        fresh = await _first_change_of(http, auth, area, before - 1)
        assert (fresh["level"], fresh["open_actions"]) == (None, 0)

        url = f"/api/v1/areas/{area}/assessments/{fresh['week']}"
        drafted = await http.put(url, json={"level": "red", "summary": "Bränder i källarförråd"}, headers=coordinator)
        assert drafted.status_code == 201, drafted.text
        published = await http.post(f"{url}/publication", headers=coordinator)
        assert published.status_code == 200, published.text
        change = await _first_change_of(http, auth, area, before)
        assert change["position"] > before
        assert (change["level"], change["open_actions"]) == ("red", 0)
        assert (change["reports"], change["occurrences"]) == (1, 2)  # the counts as they were

        body = {"area_id": area, "title": "Ny belysning i gångtunneln", "responsible_org": "kommunen"}
        planned = await http.post("/api/v1/actions", json=body, headers=coordinator)
        assert planned.status_code == 201, planned.text
        change = await _first_change_of(http, auth, area, change["position"])
        assert change["position"] >= planned.json()["position"]
        assert (change["level"], change["open_actions"]) == ("red", 1)

        action = planned.json()["id"]
        started = await http.post(f"/api/v1/actions/{action}/status", json={"status": "started"}, headers=coordinator)
        assert started.status_code == 200, started.text
        moved = await _first_change_of(http, auth, area, change["position"])
        assert moved["open_actions"] == 1
        cancelled = await http.post(
            f"/api/v1/actions/{action}/status", json={"status": "cancelled"}, headers=coordinator
        )
        assert cancelled.status_code == 200, cancelled.text
        closed = await _first_change_of(http, auth, area, moved["position"])
        assert (closed["level"], closed["open_actions"]) == ("red", 0)
