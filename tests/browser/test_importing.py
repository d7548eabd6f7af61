"""Importing the README's example spreadsheet in a real browser: upload, the preview, confirm, axe-core."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_violations, sign_in

EXAMPLE = Path(__file__).parents[2] / "examples" / "reports.xlsx"


def test_a_reporter_imports_the_example_workbook_after_a_preview(page: Page) -> None:
    sign_in(page, "reporter", org="vatterhem", sub="test-rapportor")
    page.get_by_role("link", name="Importera rapporter från ett kalkylark").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera rapporter")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Förhandsgranska").click()  # no file: the error beside the field
    expect(page.locator("#fil-error")).to_contain_text("Välj en fil att importera")
    page.get_by_label("Fil (CSV eller Excel)").set_input_files(EXAMPLE)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Förhandsgranskning av importen")
    expect(page.get_by_role("row")).to_have_count(3)  # the header and the workbook's two rows
    assert axe_violations(page) == []
    page.get_by_role("button", name="Importera 2 rapporter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importen är klar")
    expect(page.locator("main")).to_contain_text("2 rapporter sparades")
