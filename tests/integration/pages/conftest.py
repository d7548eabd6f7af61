"""The pages' tests: the API tests' fixtures, a client showing redirects, Område's area, Rapportera's form."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.api.conftest import Client, Token, app, auth, data_dir
from tests.support.area_page import Area, raslatt

__all__ = ["app", "auth", "client", "data_dir"]

TIME = "2026-11-20 21:30"
REPORT_FIELDS = {
    "kategori": "klotter",
    "tidpunkt": TIME,
    "vecka": "",
    "antal": "2",
    "plats": "Gångtunneln vid centrum",
    "beskrivning": "Nytt klotter på båda väggarna",
    "kalla": "own_observation",
}
"""Rapportera's fields but the area, filled in as a reporter would (the report and correction forms alike)."""


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    """A client of the whole app (the session's), lifespan included; a 303 is an answer to look at."""
    async with AsyncTestClient(app) as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def area(database_dsn: str, data_dir: Path) -> AsyncIterator[Area]:
    """Råslätt (tests/support/area_page.py), once for the module: Område's tests only read it."""
    async with raslatt(database_dsn, data_dir) as written:
        yield written


async def _csrf(client: Client, path: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get(path)).text)
    assert found
    return found.group(1)


async def _sign_in(
    client: Client, *roles: str, org: str = "vatterhem", tenant: str = "jonkoping", sub: str = "test-rapportor"
) -> None:
    form = {"_csrf_token": await _csrf(client, "/login"), "tenant": tenant, "org": org, "roles": list(roles)}
    answer = await client.post("/login", data=form | {"sub": sub})
    assert answer.status_code == 303, answer.text


async def _area(client: Client, auth: Token, tenant: str = "jonkoping") -> str:
    body = {"code": f"omrade-{uuid.uuid4().hex[:8]}", "name": "Råslätt"}
    answer = await client.post("/api/v1/areas", json=body, headers=auth("admin", tenant=tenant))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _form(client: Client, area: str, **fields: str) -> dict[str, Any]:
    """A filled-in form as the page gives it (its CSRF and idempotency tokens), with `fields` changed."""
    page = await client.get("/rapportera")
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.text)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    assert csrf
    form = {
        "_csrf_token": csrf.group(1),
        "token": token.group(1),
        "omrade": area,
        **REPORT_FIELDS,
    }
    return form | fields


async def _submit(client: Client, auth: Token, **fields: str) -> tuple[str, dict[str, Any]]:
    """Sign in as a reporter, send a report; its page's path."""
    await _sign_in(client, "reporter")
    form = await _form(client, await _area(client, auth), **fields)
    answer = await client.post("/rapportera", data=form)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0], form


async def _api_report(client: Client, auth: Token, path: str) -> dict[str, Any]:
    answer = await client.get(f"/api/v1/reports/{path.rsplit('/', 1)[1]}", headers=auth("auditor"))
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report
