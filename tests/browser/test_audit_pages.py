"""Granskning in a real browser: what each role sees and reaches, the filter form, the chain in words, and axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_violations, sign_in

PAGES = ("/granskning", "/granskning/lasningar", "/granskning/kedjan")


@pytest.mark.parametrize(
    ("roles", "reaches"),
    [
        (("reporter",), ()),
        (("admin",), ()),
        (("coordinator",), ("/granskning",)),
        (("auditor",), PAGES),
    ],
)
def test_each_role_sees_and_reaches_only_what_it_may(page: Page, roles: tuple[str, ...], reaches: tuple[str]) -> None:
    sign_in(page, *roles, sub="test-roll")
    navigation = page.get_by_role("navigation", name="Huvudmeny")
    expect(navigation.get_by_role("link", name="Granskning")).to_have_count(1 if reaches else 0)
    for path in PAGES:
        response = page.goto(path)
        assert response is not None
        if path in reaches:
            assert response.status == 200, path
            expect(page.get_by_role("navigation", name="Granskning")).to_have_count(1 if "auditor" in roles else 0)
        else:
            assert response.status == 403, path
            expect(page.get_by_role("heading", level=1)).to_have_text("Du saknar behörighet")


def test_an_auditor_filters_the_trail_and_reads_the_chain(page: Page) -> None:
    sign_in(page, "auditor", sub="test-granskare")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granskning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Granskning")
    rows = page.locator("#audit-trail tbody tr")
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^\d+$"))
    assert axe_violations(page) == []

    page.get_by_label("Organisation").fill("polisen")
    page.get_by_label("Område").select_option(label="Råslätt")
    page.get_by_role("button", name="Filtrera").click()
    expect(page).to_have_url(re.compile(r"org=polisen"))
    expect(rows.locator("td:nth-child(4)").first).to_have_text("polisen")
    expect(rows.locator("td:nth-child(6)").first).to_have_text("Råslätt")
    expect(page.get_by_label("Organisation")).to_have_value("polisen")

    page.get_by_label("Från").fill("i förrgår")
    page.get_by_role("button", name="Filtrera").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(["Från ska vara en tid som 2026-12-01 08:00"])
    expect(page.get_by_label("Från")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Från")).to_have_value("i förrgår")
    assert axe_violations(page) == []

    subnav = page.get_by_role("navigation", name="Granskning")
    subnav.get_by_role("link", name="Vem läste vad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vem läste vad")
    page.get_by_label("Användare").fill("test-granskare")
    mine = page.locator("#read-log tbody tr", has_text="test-granskare")
    for _ in range(100):  # a read is written to the log a moment after it is answered: ask again until it is there
        page.get_by_role("button", name="Filtrera").click()
        expect(page.get_by_label("Användare")).to_have_value("test-granskare")
        if mine.count():
            break
    expect(mine.first.locator("td").nth(4)).to_have_text(re.compile(r"^(översikten|granskningsloggen)"))
    assert axe_violations(page) == []

    subnav.get_by_role("link", name="Kedjans kontroll").click()
    expect(page.get_by_role("status").filter(has_text="Kedjan")).to_contain_text("Kedjan är obruten.")
    assert axe_violations(page) == []
