"""The web app in a real browser: signing in and out, the navigation per role, the overview live, and axe-core."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from service.web.auth import mint_development_token
from tests.browser.conftest import axe_violations, sign_in

LEVEL_IN_WORDS = re.compile(r"^(Grön|Gul|Röd|Ingen bedömning)$")
TREND_IN_WORDS = re.compile(r"^(Ökar|Minskar|Oförändrad)$")
DEMO_AREAS = ["Centrum", "Huskvarna Söder", "Råslätt", "Österängen", "Öxnehaga"]


def test_a_page_without_a_session_goes_to_the_sign_in(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")


def test_sign_in_then_out(page: Page) -> None:
    sign_in(page, "reporter", org="vatterhem", sub="test-rapportor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")


@pytest.mark.parametrize(
    ("roles", "links"),
    [
        (["reporter"], ["Översikt", "Rapportera", "Veckans lägesbild", "Insatser"]),
        (["coordinator"], ["Översikt", "Veckans lägesbild", "Insatser", "Granskning"]),
        (["auditor"], ["Översikt", "Veckans lägesbild", "Insatser", "Granskning"]),
        (["admin"], ["Översikt", "Veckans lägesbild", "Insatser"]),
        (["reporter", "auditor"], ["Översikt", "Rapportera", "Veckans lägesbild", "Insatser", "Granskning"]),
    ],
)
def test_the_navigation_shows_what_the_roles_allow(page: Page, roles: list[str], links: list[str]) -> None:
    sign_in(page, *roles)
    expect(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link")).to_have_text(links)


def test_the_overview_shows_the_demo_partnership(page: Page) -> None:
    sign_in(page, "coordinator")
    rows = page.locator("#overview tbody tr")
    expect(rows.locator("th")).to_have_text(DEMO_AREAS)
    expect(rows.locator("td:nth-child(2)")).to_have_text([LEVEL_IN_WORDS] * len(DEMO_AREAS))
    expect(rows.locator("td:nth-child(4)")).to_have_text([TREND_IN_WORDS] * len(DEMO_AREAS))
    expect(rows.first.get_by_role("link")).to_have_attribute("href", re.compile(r"^/omraden/[0-9a-f-]{36}$"))


def test_the_overview_shows_the_areas_on_a_map_with_their_levels_in_words(page: Page) -> None:
    sign_in(page, "coordinator")
    drawn = page.get_by_role("img", name="Karta över områdena och deras nivå")
    expect(drawn).to_be_visible()
    labels = drawn.locator("text")
    expect(labels).to_have_count(len(DEMO_AREAS))
    assert all(re.match(r"^.+(Grön|Gul|Röd|Ingen bedömning)$", t) for t in labels.all_text_contents())
    expect(drawn.locator("desc")).to_contain_text("Råslätt")
    assert axe_violations(page) == []


def test_a_report_shows_up_live_in_a_signed_in_overview(page: Page, server: tuple[str, Path]) -> None:
    base_url, data_dir = server
    sign_in(page, "coordinator")
    expect(page.locator("#overview")).to_have_attribute("data-live", "open")
    row = page.locator("#overview tbody tr", has=page.get_by_role("link", name="Råslätt"))
    before = int(row.locator('[data-field="occurrences"]').inner_text())
    token = mint_development_token(data_dir, sub="test-polis", tenant="jonkoping", org="polisen", roles=["reporter"])
    report = {
        "area_id": row.get_attribute("data-area-id"),
        "category": "klotter",
        "occurred_at": datetime.now(UTC).isoformat(),
        "count": 3,
        "place": "Gångtunneln vid centrum",
    }
    answer = httpx.post(f"{base_url}/api/v1/reports", json=report, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.text
    expect(row.locator('[data-field="occurrences"]')).to_have_text(str(before + 3))
    expect(page.get_by_role("status")).to_contain_text("Råslätt")


def test_the_sign_in_form_shows_each_error_beside_its_field(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Användar-id").fill("test-granskare")
    page.get_by_role("button", name="Logga in").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(["Ange organisation", "Välj minst en roll"])
    expect(page.get_by_label("Organisation")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Användar-id")).to_have_value("test-granskare")
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/login", "/tillganglighet"])
def test_no_axe_violations_signed_out(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("main h1")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/tillganglighet"])
def test_no_axe_violations_signed_in(page: Page, path: str) -> None:
    sign_in(page, "reporter", "coordinator", "auditor")
    page.goto(path)
    expect(page.locator("main h1")).to_be_visible()
    assert axe_violations(page) == []


def test_axe_finds_a_violation_when_there_is_one(page: Page) -> None:
    page.goto("/login")
    page.evaluate("() => document.querySelector('label[for=organisation]').remove()")
    assert "label" in [v["id"] for v in axe_violations(page)]
