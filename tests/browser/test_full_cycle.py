"""The demo partnership's whole weekly cycle in a real browser, two people at once; makes the README's screenshots."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import axe_violations, sign_in

AREA = "Centrum"
SCREEN = ViewportSize(width=1200, height=900)
PHONE = ViewportSize(width=360, height=740)
SCREENSHOTS = "LAGESBILD_SCREENSHOTS"
"""Set to a folder (`docs/screenshots`) to save the README's screenshots there; unset (as on CI) nothing is written."""


def _screenshot(page: Page, name: str, full_page: bool = False) -> None:
    """Save what the page shows now (the viewport, or a phone's whole page), when the environment asks for it."""
    folder = os.environ.get(SCREENSHOTS)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", animations="disabled", caret="hide", full_page=full_page)


def _local_minute() -> str:
    return datetime.now(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")


def test_report_see_it_live_plan_publish_and_read_the_trail(browser: Browser, base_url: str) -> None:
    started = _local_minute()
    coordinator_context = browser.new_context(base_url=base_url, viewport=SCREEN)
    reporter_context = browser.new_context(base_url=base_url, viewport=PHONE)
    try:
        for opened in (coordinator_context, reporter_context):
            opened.set_default_timeout(15_000)
        coordinator, reporter = coordinator_context.new_page(), reporter_context.new_page()

        # The coordinator keeps Översikt open, live
        sign_in(coordinator, "coordinator", org="kommunen", sub="cykel-samordnare")
        expect(coordinator.locator("#overview")).to_have_attribute("data-live", "open")
        row = coordinator.locator("#overview tbody tr", has=coordinator.get_by_role("link", name=AREA))
        before = int(row.locator('[data-field="occurrences"]').inner_text())

        # A caretaker reports on a phone, by the labels; a refusal first, beside its field
        sign_in(reporter, "reporter", org="vatterhem", sub="cykel-rapportor")
        reporter.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapportera").click()
        reporter.get_by_label("Område").select_option(label=AREA)
        reporter.get_by_label("Kategori").select_option(value="klotter")
        reporter.get_by_label("Tidpunkt").fill(_local_minute())
        reporter.get_by_label("Antal").fill("4")
        reporter.get_by_label("Plats").fill("Gångtunneln vid stationen")
        reporter.get_by_label("Beskrivning").fill("Nytt klotter, ring 070-123 45 67")
        reporter.get_by_role("button", name="Skicka").click()
        expect(reporter.locator("#beskrivning-error")).to_contain_text("rapporter handlar om platser, inte om personer")
        _screenshot(reporter, "rapportera-mobil", full_page=True)
        reporter.get_by_label("Beskrivning").fill("Nytt klotter på båda väggarna")
        reporter.get_by_role("button", name="Skicka").click()
        expect(reporter.get_by_role("status").filter(has_text="Rapporten är mottagen")).to_be_visible()
        report_id = reporter.locator("#kvitto-id").inner_text()

        # ...and the coordinator's Översikt counts it without a reload
        expect(row.locator('[data-field="occurrences"]')).to_have_text(str(before + 4))
        expect(coordinator.get_by_role("status")).to_contain_text(AREA)
        assert axe_violations(coordinator) == []
        _screenshot(coordinator, "oversikt")
        live_trend = row.locator('[data-field="trend"]').inner_text()  # ...with its trend, as a reload shows it
        coordinator.reload()
        expect(row.locator('[data-field="trend"]')).to_have_text(live_trend)
        row.get_by_role("link", name=AREA).click()
        expect(coordinator.get_by_role("heading", level=1)).to_contain_text(AREA)
        _screenshot(coordinator, "omrade")

        # The coordinator plans an action for the report and starts it
        title = "Sanering och belysning i gångtunneln"
        coordinator.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Insatser").click()
        coordinator.get_by_role("link", name="Planera insats").click()
        coordinator.get_by_label(AREA, exact=True).check()
        coordinator.get_by_label("Titel").fill(title)
        coordinator.locator(f'input[name="report_ids"][value="{report_id}"]').check()
        coordinator.get_by_label("Klotter", exact=True).check()
        coordinator.get_by_role("button", name="Planera insats").click()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text(title)
        expect(coordinator.locator("main")).to_contain_text("4 st (vatterhem)")
        coordinator.get_by_role("button", name="Påbörja").click()
        expect(coordinator.locator('[data-field="status"]')).to_have_text("Pågår")

        # The caretaker now watches Översikt on the phone, live
        reporter.goto("/")
        expect(reporter.locator("#overview")).to_have_attribute("data-live", "open")
        watched = reporter.locator("#overview tbody tr", has=reporter.get_by_role("link", name=AREA))
        area_id = watched.get_attribute("data-area-id")
        expect(watched.locator('[data-field="open_actions"]')).to_have_text("1")  # the action, started
        expect(watched.locator('[data-field="level"]')).not_to_have_text("Gul")

        # ...while the coordinator drafts the week's assessment of the area, then publishes it
        summary = "Mer klotter i gångtunneln vid stationen, sanering påbörjad"
        coordinator.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Veckans lägesbild").click()
        weekly = coordinator.locator("#lagesbild tbody tr", has=coordinator.get_by_role("rowheader", name=AREA))
        weekly.get_by_role("link", name=re.compile(f"för {AREA}$")).click()
        coordinator.get_by_label("Gul", exact=True).check()
        coordinator.get_by_label("Sammanfattning").fill(summary)
        coordinator.get_by_role("button", name="Spara utkast").click()
        expect(weekly.locator(".draft-note")).to_contain_text("Gul")
        weekly.get_by_role("link", name=re.compile(f"för {AREA}$")).click()
        coordinator.get_by_role("button", name="Publicera").click()
        expect(weekly.locator('[data-field="level"]')).to_have_text("Gul")
        expect(weekly.locator('[data-field="assessment"]')).to_contain_text(summary)
        _screenshot(coordinator, "veckans-lagesbild")
        # ...which the caretaker's Översikt shows without a reload: in the table, and on the map in words and colour
        expect(watched.locator('[data-field="level"]')).to_have_text("Gul")
        expect(reporter.locator(f'.map__shape[data-area-id="{area_id}"]')).to_have_class(
            re.compile("map__shape--yellow")
        )
        expect(reporter.locator(f'.map__label[data-area-id="{area_id}"]')).to_contain_text("Gul")
        expect(reporter.locator("svg.map > desc")).to_contain_text(f"{AREA} gul")  # the map's text alternative too
        expect(reporter.get_by_role("status")).to_contain_text("nivån Gul")
        assert axe_violations(reporter) == []

        # ...and reads the trail of it all on Granskning: since the test began, in the area
        coordinator.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granskning").click()
        coordinator.get_by_label("Från").fill(started)
        coordinator.get_by_label("Område").select_option(label=AREA)
        rows = coordinator.locator("#audit-trail tbody tr")
        wanted = {
            ("cykel-rapportor", "Rapport skickad"),
            ("cykel-samordnare", "Insats planerad"),
            ("cykel-samordnare", "Insats påbörjad"),
            ("cykel-samordnare", "Bedömning publicerad"),
        }

        def shown() -> set[tuple[str, str]]:
            users = rows.locator("td:nth-child(3)").all_text_contents()
            return set(zip(users, rows.locator("td:nth-child(5)").all_text_contents(), strict=True))

        for _ in range(100):  # the trail is a read model a moment behind the log: ask again until it has caught up
            coordinator.get_by_role("button", name="Filtrera").click()
            expect(coordinator.get_by_label("Från")).to_have_value(started)
            if wanted <= shown():
                break
        assert wanted <= shown()
    finally:
        reporter_context.close()
        coordinator_context.close()
