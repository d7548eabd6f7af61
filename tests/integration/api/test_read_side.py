"""The read side through HTTP on a scripted multi-week scenario: picture, overview, lägesbild, audit, lists."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from domain.weeks import week_of
from service.app import create_app
from service.settings import Settings
from tests.integration.api.conftest import Client
from tests.support.tenant_writer import TenantWriter

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday of 2026-W48
WEEK_DAYS = {"2026-W44": "10-28", "2026-W45": "11-04", "2026-W46": "11-11", "2026-W47": "11-18", "2026-W48": "11-24"}


class Scenario(TenantWriter):
    """A tenant of its own, with helpers to act in it as police, municipality, Vätterhem or coordinator."""

    def __init__(self, client: Client, data_dir: Path) -> None:
        super().__init__(client, data_dir)
        self.areas: dict[str, str] = {}

    async def report(self, area: str, category: str, week: str, org: str, count: int = 1) -> str:
        body = {"area_id": self.areas[area], "category": category, "count": count,
                "occurred_at": f"2026-{WEEK_DAYS[week]}T20:00:00+01:00", "place": "Gångtunneln"}  # fmt: skip
        return str((await self.write("POST", "/reports", body, "reporter", org))["id"])

    async def read(self, url: str, **params: Any) -> Any:
        response = await self.client.get(
            f"/api/v1{url}", params={"min_position": self.position, **params}, headers=self.headers("coordinator")
        )
        assert response.status_code == 200, response.text
        return response.json() if "json" in response.headers["content-type"] else response.text


@pytest.fixture
async def scenario(database_dsn: str, data_dir: Path) -> AsyncIterator[Scenario]:
    """The scripted weeks, in a tenant of their own.

    Reports from three organisations, a correction that moves a report to another area and
    category, a retraction, an action with a follow-up, and a published assessment.
    """
    settings = Settings.from_env({"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)})
    async with AsyncTestClient(create_app(settings, database_dsn, clock=lambda: NOW)) as client:
        s = Scenario(client, data_dir)
        for code, name in (("raslatt", "Råslätt"), ("oxnehaga", "Öxnehaga")):
            s.areas[code] = (await s.write("POST", "/areas", {"code": code, "name": name}, "admin", "kommunen"))["id"]
        for week in ("2026-W44", "2026-W45", "2026-W46", "2026-W47"):
            await s.report("raslatt", "klotter", week, "polisen")
        this_week = [await s.report("raslatt", "klotter", "2026-W48", "polisen") for _ in range(5)]
        await s.report("raslatt", "belysning", "2026-W48", "kommunen", count=2)
        await s.report("oxnehaga", "brand", "2026-W47", "vatterhem")
        await s.report("oxnehaga", "brand", "2026-W48", "vatterhem")
        moved, retracted = this_week[0], this_week[1]
        await s.write(
            "POST", f"/reports/{moved}/corrections",
            {"changes": {"area_id": s.areas["oxnehaga"], "category": "otrygg-samling"}, "reason": "fel område"},
            "coordinator", "kommunen",
        )  # fmt: skip
        await s.write("POST", f"/reports/{retracted}/retraction", {"reason": "dubblett"}, "reporter", "polisen")
        action = await s.write(
            "POST", "/actions",
            {"area_id": s.areas["raslatt"], "title": "Sanering av klotter", "responsible_org": "kommunen",
             "report_ids": this_week[2:4], "categories": ["klotter"]},
            "coordinator", "kommunen",
        )  # fmt: skip
        await s.write("POST", f"/actions/{action['id']}/status", {"status": "started"}, "coordinator", "kommunen")
        await s.write(
            "POST", f"/actions/{action['id']}/follow-ups", {"effect": "improved", "note": "Mindre klotter"},
            "coordinator", "kommunen",
        )  # fmt: skip
        url = f"/areas/{s.areas['raslatt']}/assessments/2026-W47"
        await s.write("PUT", url, {"level": "yellow", "summary": "Klottret ökar"}, "coordinator", "kommunen")
        await s.write("POST", f"{url}/publication", None, "coordinator", "kommunen")
        yield s


async def test_the_area_picture(scenario: Scenario) -> None:
    picture = await scenario.read(f"/areas/{scenario.areas['raslatt']}/picture", weeks=5)
    assert picture["week"] == "2026-W48"
    assert picture["weeks"] == ["2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert picture["counts"] == {
        "klotter": {"reports": 3, "occurrences": 3},
        "belysning": {"reports": 1, "occurrences": 2},
    }
    assert [p["occurrences"] for p in picture["series"]["klotter"]] == [1, 1, 1, 1, 3]
    assert picture["trends"]["klotter"] == "up"
    assert (picture["assessment"]["level"], picture["assessment"]["week"]) == ("yellow", "2026-W47")
    [action] = picture["open_actions"]
    assert (action["title"], action["status"], action["latest_follow_up"]["effect"]) == (
        "Sanering av klotter", "started", "improved",
    )  # fmt: skip
    assert picture["last_report_at"] is not None
    assert picture["position"] >= scenario.position

    other = await scenario.read(f"/areas/{scenario.areas['oxnehaga']}/picture", weeks=2)
    assert other["counts"] == {
        "brand": {"reports": 1, "occurrences": 1}, "otrygg-samling": {"reports": 1, "occurrences": 1},
    }  # fmt: skip
    assert other["assessment"] is None


async def test_the_picture_of_an_area_nobody_has_reported_from(scenario: Scenario) -> None:
    area = await scenario.write("POST", "/areas", {"code": "centrum", "name": "Centrum"}, "admin", "kommunen")
    picture = await scenario.read(f"/areas/{area['id']}/picture", weeks=2)
    assert (picture["area"]["code"], picture["weeks"]) == ("centrum", ["2026-W47", "2026-W48"])
    assert (picture["counts"], picture["series"], picture["trends"]) == ({}, {}, {})
    assert (picture["assessment"], picture["open_actions"], picture["last_report_at"]) == (None, [], None)


async def test_the_overview(scenario: Scenario) -> None:
    overview = await scenario.read("/picture")
    rows = {row["area"]["code"]: row for row in overview["areas"]}
    assert (rows["raslatt"]["level"], rows["raslatt"]["total"], rows["raslatt"]["trend"]) == ("yellow", 5, "up")
    assert rows["raslatt"]["open_actions"] == 1
    assert (rows["oxnehaga"]["level"], rows["oxnehaga"]["total"], rows["oxnehaga"]["open_actions"]) == (None, 2, 0)


async def test_the_weekly_lagesbild_and_its_csv(scenario: Scenario) -> None:
    weekly = await scenario.read("/lagesbild/2026-W48")
    rows = {row["area"]["code"]: row for row in weekly["areas"]}
    assert rows["raslatt"]["counts"] == {"belysning": 2, "klotter": 3}
    assert rows["oxnehaga"]["counts"] == {"brand": 1, "otrygg-samling": 1}
    last_week = {row["area"]["code"]: row for row in (await scenario.read("/lagesbild/2026-W47"))["areas"]}
    assert last_week["raslatt"]["assessment"]["level"] == "yellow"
    recorded_week = week_of(datetime.now(UTC))  # actions are dated by when they were recorded
    actions_week = {row["area"]["code"]: row for row in (await scenario.read(f"/lagesbild/{recorded_week}"))["areas"]}
    assert actions_week["raslatt"]["actions_started"] == ["Sanering av klotter"]
    assert actions_week["raslatt"]["actions_followed_up"] == [{"title": "Sanering av klotter", "effect": "improved"}]

    response = await scenario.client.get(
        "/api/v1/lagesbild/2026-W48", headers=scenario.headers("auditor") | {"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_code = {row["area_code"]: row for row in table}
    assert by_code["raslatt"]["area"] == "Råslätt"
    assert by_code["oxnehaga"]["area"] == "Öxnehaga"
    for code, row in rows.items():
        assert int(by_code[code]["total"]) == row["total"]
        assert by_code[code]["trend"] == row["trend"]
        assert {c: int(by_code[code][c]) for c in row["counts"]} == row["counts"]


async def test_the_audit_trail_says_who_shared_what_when(scenario: Scenario) -> None:
    trail = await scenario.read("/audit", limit=500)
    entries = trail["entries"]
    assert [e["position"] for e in entries] == sorted(e["position"] for e in entries)
    types = [e["event_type"] for e in entries]
    assert types.count("Submitted") == 12
    corrected = next(e for e in entries if e["event_type"] == "Corrected")
    assert corrected["summary"]["changes"]["category"] == {"old": "klotter", "new": "otrygg-samling"}
    assert corrected["summary"]["changes"]["area_id"]["new"] == scenario.areas["oxnehaga"]
    assert (corrected["actor"], corrected["org"], corrected["area_id"]) == (
        "kommunen-1",
        "kommunen",
        scenario.areas["oxnehaga"],
    )
    retracted = next(e for e in entries if e["event_type"] == "Retracted")
    assert (retracted["org"], retracted["summary"]) == ("polisen", {"reason": "dubblett"})
    police = await scenario.read("/audit", org="polisen", limit=500)
    assert {e["org"] for e in police["entries"]} == {"polisen"}
    assert len(police["entries"]) == 10  # nine reports and one retraction

    response = await scenario.client.get(
        "/api/v1/audit", params={"limit": 500}, headers=scenario.headers("auditor") | {"Accept": "text/csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(r["position"]) for r in rows] == [e["position"] for e in entries]
    assert [(r["actor"], r["event_type"]) for r in rows] == [(e["actor"], e["event_type"]) for e in entries]


async def test_only_auditors_and_coordinators_read_the_audit_trail(scenario: Scenario) -> None:
    response = await scenario.client.get("/api/v1/audit", headers=scenario.headers("reporter", "polisen"))
    assert response.status_code == 403


@pytest.mark.parametrize("limit", [1, 2, 5])
async def test_pages_have_no_duplicates_or_holes(scenario: Scenario, limit: int) -> None:
    everything = (await scenario.read("/reports", limit=500))["reports"]
    seen, cursor = [], None
    while True:
        page = await scenario.read("/reports", limit=limit, **({"cursor": cursor} if cursor else {}))
        seen += [r["id"] for r in page["reports"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [r["id"] for r in everything]
    assert len(seen) == len(set(seen)) == 12
    audit, after = [], None
    while True:
        page = await scenario.read("/audit", limit=limit * 3, **({"after": after} if after else {}))
        audit += [e["position"] for e in page["entries"]]
        after = page["next_cursor"]
        if after is None:
            break
    assert audit == [e["position"] for e in (await scenario.read("/audit", limit=500))["entries"]]


async def test_list_filters(scenario: Scenario) -> None:
    retracted = (await scenario.read("/reports", status="retracted"))["reports"]
    assert len(retracted) == 1
    moved = (await scenario.read("/reports", area_id=scenario.areas["oxnehaga"], week="2026-W48"))["reports"]
    assert sorted(r["category"] for r in moved) == ["brand", "otrygg-samling"]
    vatterhem = (await scenario.read("/reports", org="vatterhem"))["reports"]
    assert {r["org"] for r in vatterhem} == {"vatterhem"}
    assert len(vatterhem) == 2
    started = (await scenario.read("/actions", status="started"))["actions"]
    assert [a["title"] for a in started] == ["Sanering av klotter"]


@pytest.mark.parametrize("path", ["/api/v1/lagesbild/2026-W48", "/api/v1/audit", "/api/v1/audit/reads"])
async def test_csv_answers_name_their_charset_once(scenario: Scenario, path: str) -> None:
    response = await scenario.client.get(path, headers=scenario.headers("auditor") | {"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
