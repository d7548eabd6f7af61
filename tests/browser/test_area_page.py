"""Område in a real browser: reached from Översikt by the area's name, its charts and filters, and axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_violations, sign_in


def test_from_the_overview_to_an_area_and_its_filters(page: Page) -> None:
    sign_in(page, "coordinator")
    page.locator("#overview").get_by_role("link", name="Råslätt").click()
    expect(page).to_have_url(re.compile(r"/omraden/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Råslätt")
    expect(page.get_by_role("img", name=re.compile(r"förekomster per vecka$")).first).to_be_visible()
    page.locator("details.chart-table summary").first.click()
    expect(page.locator("details.chart-table table").first).to_be_visible()
    expect(page.get_by_role("table", name=re.compile(r"^Förekomster per veckodag och timme"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile(r"^Förekomster per månad"))).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Vecka", exact=True).fill("vecka 47")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text([re.compile(r"^Ange en vecka som finns")])
    expect(page.get_by_label("Vecka", exact=True)).to_have_value("vecka 47")
    expect(page.get_by_label("Vecka", exact=True)).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []

    page.get_by_label("Vecka", exact=True).fill("")
    page.get_by_label("Kategori", exact=True).select_option(label="Klotter")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.get_by_label("Kategori", exact=True)).to_have_value("klotter")
    categories = page.locator("#rapportlista tbody tr td:nth-child(3)")
    expect(categories.first).to_have_text("Klotter")
    assert set(categories.all_inner_texts()) == {"Klotter"}

    # The patterns of one category, the reports' filter kept.
    page.get_by_label("Kategori för mönstren").select_option(label="Klotter")
    page.get_by_role("button", name="Visa mönster").click()
    expect(page.locator("#monster + form + p strong")).to_have_text("Klotter")
    expect(page.get_by_label("Kategori för mönstren")).to_have_value("klotter")
    expect(page.get_by_label("Kategori", exact=True)).to_have_value("klotter")
    assert axe_violations(page) == []


def test_an_area_shows_its_hot_cells_on_its_boundary_and_as_a_table(page: Page) -> None:
    sign_in(page, "coordinator")
    page.locator("#overview").get_by_role("link", name="Råslätt").click()
    drawn = page.get_by_role("img", name="Karta över Råslätt med platserna med flest rapporter")
    expect(drawn).to_be_visible()
    rows = page.locator("#heta-rutor tbody tr")
    expect(rows.first.locator("td").nth(1)).to_have_text(re.compile(r"^\d+$"))
    reports = [int(n) for n in page.locator("#heta-rutor tbody tr td:nth-child(3)").all_inner_texts()]
    assert reports
    assert min(reports) >= 3  # LAGESBILD_HOT_CELL_MIN_REPORTS: no cell of fewer is shown
    expect(drawn.locator("path.map__shape--cell")).to_have_count(len(reports))
    assert axe_violations(page) == []
