"""Rapportera in a real browser, at a phone's width, by keyboard alone: a privacy refusal, its fix, the receipt."""

from __future__ import annotations

import re

from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import axe_violations, sign_in

PHONE = ViewportSize(width=360, height=740)


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until `selector` has the focus (as a keyboard user moves through the page)."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_report_by_keyboard_alone_on_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "reporter", org="vatterhem", sub="test-rapportor")
    page.goto("/rapportera")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera")
    assert _fits_the_width(page)
    assert axe_violations(page) == []

    _tab_to(page, "#omrade")
    page.keyboard.type("Råslätt")
    _tab_to(page, "#kategori")
    page.keyboard.type("Klotter")
    _tab_to(page, "#tidpunkt")
    page.keyboard.type("2026-11-20 21:30")
    _tab_to(page, "#antal")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    _tab_to(page, "#plats")
    page.keyboard.type("Gångtunneln vid centrum")
    _tab_to(page, "#beskrivning")
    page.keyboard.type("Nytt klotter, ring 070-123 45 67")
    _tab_to(page, ".report-form button[type=submit]")
    expect(page.get_by_role("button", name="Skicka")).to_be_focused()
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    refusal = re.compile("^Beskrivning ser ut att innehålla ett telefonnummer")
    expect(summary.get_by_role("link")).to_have_text([refusal])
    description = page.get_by_label("Beskrivning")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#beskrivning-error")).to_contain_text("rapporter handlar om platser, inte om personer")
    expect(description).to_have_value("Nytt klotter, ring 070-123 45 67")
    expect(page.get_by_label("Plats")).to_have_value("Gångtunneln vid centrum")
    expect(page.get_by_label("Område")).to_have_value(re.compile("^[0-9a-f-]{36}$"))
    assert _fits_the_width(page)
    assert axe_violations(page) == []

    _tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")  # the summary's link takes the focus to its field
    expect(description).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Nytt klotter på båda väggarna")
    _tab_to(page, ".report-form button[type=submit]")
    expect(page.get_by_role("button", name="Skicka")).to_be_focused()
    page.keyboard.press("Enter")

    receipt = page.get_by_role("status").filter(has_text="Rapporten är mottagen")
    expect(receipt).to_be_visible()
    expect(page.locator("#kvitto-id")).to_have_text(re.compile("^[0-9a-f-]{36}$"))
    expect(page.locator("#kvitto-position")).to_have_text(re.compile(r"^\d+$"))
    expect(page).to_have_url(re.compile(r"/rapporter/[0-9a-f-]{36}\?kvitto=\d+$"))
    facts = page.locator("#rapporten")
    expect(facts).to_contain_text("Råslätt")
    expect(facts).to_contain_text("Nytt klotter på båda väggarna")
    expect(page.get_by_role("heading", name="Rätta rapporten")).to_be_visible()
    assert _fits_the_width(page)
    assert axe_violations(page) == []
