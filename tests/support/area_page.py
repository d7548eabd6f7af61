"""Område's tests' area (tests): Råslätt in a tenant of its own, written through the API, read through the pages."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Client
from tests.support.tenant_writer import TenantWriter

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday of 2026-W48
DAYS = {"2026-W45": "11-04", "2026-W46": "11-11", "2026-W47": "11-18", "2026-W48": "11-24"}


class Area(TenantWriter):
    """An area of a tenant of its own, with what was written there, read through the pages as a coordinator."""

    def __init__(self, client: Client, data_dir: Path) -> None:
        super().__init__(client, data_dir)
        self.id = ""

    async def report(self, category: str, week: str, org: str, count: int = 1, place: str = "Torget") -> str:
        body = {"area_id": self.id, "category": category, "count": count, "place": place,
                "occurred_at": f"2026-{DAYS[week]}T20:00:00+01:00"}  # fmt: skip
        return str((await self.write("POST", "/reports", body, "reporter", org))["id"])

    async def sign_in(self) -> None:
        form_page = await self.client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form_page.text)
        assert token, form_page.text
        form = {"_csrf_token": token.group(1), "tenant": self.tenant, "org": "kommunen", "roles": ["coordinator"]}
        answer = await self.client.post("/login", data=form | {"sub": "test-samordnare"})
        assert answer.status_code == 303, answer.text

    async def page(self, area_id: str | None = None, **params: Any) -> Any:
        """The page, once the picture and the patterns have caught up with what was written (the API waits for it)."""
        for read_model in ("picture", "patterns"):
            caught_up = await self.client.get(
                f"/api/v1/areas/{self.id}/{read_model}",
                params={"min_position": self.position},
                headers=self.headers("auditor"),
            )
            assert caught_up.status_code == 200, caught_up.text
        return await self.client.get(f"/omraden/{area_id or self.id}", params=params)


def rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the table `table_id`, each as its cells' text."""
    table = re.search(rf'<table class="table[^"]*" id="{table_id}">(.*?)</table>', page, re.S)
    assert table, f"no table {table_id}"
    body = table.group(1).split("<tbody>")[1]
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@contextlib.asynccontextmanager
async def raslatt(database_dsn: str, data_dir: Path) -> AsyncIterator[Area]:
    """Råslätt, in a tenant of its own, signed in as a coordinator (the pages' `area` fixture).

    Klotter over four weeks, lighting and a retracted fire this week, an action followed up, two assessments.
    """
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    async with AsyncTestClient(create_app(settings, database_dsn, clock=lambda: NOW)) as client:
        client.follow_redirects = False
        a = Area(client, data_dir)
        a.id = (await a.write("POST", "/areas", {"code": "raslatt", "name": "Råslätt"}, "admin", "kommunen"))["id"]
        for week, count in (("2026-W45", 1), ("2026-W46", 4), ("2026-W47", 2)):
            await a.report("klotter", week, "polisen", count)
        await a.report("klotter", "2026-W48", "polisen", 3, place="Gångtunneln")
        await a.report("belysning", "2026-W48", "kommunen", 2, place="Parkeringen")
        retracted = await a.report("brand", "2026-W48", "vatterhem", place="Soprummet")
        await a.write("POST", f"/reports/{retracted}/retraction", {"reason": "dubblett"}, "reporter", "vatterhem")
        action = await a.write(
            "POST", "/actions",
            {"area_id": a.id, "title": "Sanering av klotter", "responsible_org": "kommunen", "categories": ["klotter"]},
            "coordinator", "kommunen",
        )  # fmt: skip
        await a.write("POST", f"/actions/{action['id']}/status", {"status": "started"}, "coordinator", "kommunen")
        await a.write(
            "POST", f"/actions/{action['id']}/follow-ups", {"effect": "improved", "note": "Mindre klotter i tunneln"},
            "coordinator", "kommunen",
        )  # fmt: skip
        for week, level, summary in (("2026-W46", "red", "Mycket klotter"), ("2026-W47", "yellow", "Lugnare")):
            url = f"/areas/{a.id}/assessments/{week}"
            await a.write("PUT", url, {"level": level, "summary": summary}, "coordinator", "kommunen")
            await a.write("POST", f"{url}/publication", None, "coordinator", "kommunen")
        await a.sign_in()
        yield a
