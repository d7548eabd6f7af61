"""The weekly cycle in a real browser: draft and publish an assessment, move an action through its states, axe-core."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_violations, sign_in


def test_a_coordinator_drafts_and_publishes_the_weeks_assessment(page: Page) -> None:
    sign_in(page, "coordinator")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Veckans lägesbild").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Veckans lägesbild")
    expect(page.get_by_role("link", name="Föregående vecka")).to_be_visible()
    assert axe_violations(page) == []

    summary = f"Mer klotter vid torget ({uuid.uuid4().hex[:6]})"
    page.get_by_role("link", name=re.compile(r"för Råslätt$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bedömning av Råslätt")
    page.get_by_label("Sammanfattning").fill("")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(["Välj en nivå", "Ange sammanfattning"])
    assert axe_violations(page) == []

    page.get_by_label("Gul", exact=True).check()
    page.get_by_label("Sammanfattning").fill(summary)
    page.get_by_role("button", name="Spara utkast").click()
    row = page.locator("#lagesbild tbody tr", has=page.get_by_role("rowheader", name="Råslätt"))
    expect(row.locator(".draft-note")).to_contain_text("Gul")

    row.get_by_role("link", name=re.compile(r"för Råslätt$")).click()
    expect(page.get_by_label("Sammanfattning")).to_have_value(summary)
    page.get_by_role("button", name="Publicera").click()
    expect(row.locator('[data-field="level"]')).to_have_text("Gul")
    expect(row.locator('[data-field="assessment"]')).to_contain_text(summary)
    expect(row.locator(".draft-note")).to_have_count(0)

    page.emulate_media(media="print")  # the steering group's A4: the table, without navigation or links to act on
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_hidden()
    expect(page.get_by_role("link", name="Ladda ner som CSV")).to_be_hidden()
    expect(row.get_by_role("link", name=re.compile(r"för Råslätt$"))).to_be_hidden()
    expect(row.locator('[data-field="assessment"]')).to_contain_text(summary)


def test_a_coordinator_plans_an_action_and_moves_it_through_its_states(page: Page) -> None:
    sign_in(page, "coordinator")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Insatser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insatser")
    assert axe_violations(page) == []

    title = f"Bättre belysning i gångtunneln ({uuid.uuid4().hex[:6]})"
    page.get_by_role("link", name="Planera insats").click()
    page.get_by_label("Råslätt", exact=True).check()
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Klotter", exact=True).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Planera insats").click()

    status = page.locator('[data-field="status"]')
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(status).to_have_text("Planerad")
    page.get_by_role("button", name="Påbörja").click()
    expect(status).to_have_text("Pågår")

    page.get_by_label("Förbättring").check()
    page.get_by_label("Anteckning").fill("Mindre klotter sedan lamporna byttes")
    page.get_by_role("button", name="Spara uppföljning").click()
    expect(page.locator("#uppfoljningar")).to_contain_text("Mindre klotter sedan lamporna byttes")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Avsluta").click()
    expect(status).to_have_text("Avslutad")
    expect(page.get_by_role("button", name="Ställ in")).to_have_count(0)
    page.get_by_role("link", name="Alla insatser").click()
    row = page.locator("#insatser tbody tr", has=page.get_by_role("link", name=title))
    expect(row.locator('[data-field="status"]')).to_have_text("Avslutad")
    expect(row.locator('[data-field="effect"]')).to_contain_text("Förbättring")
