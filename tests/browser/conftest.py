"""Browser tests: Debian's chromium driven by Playwright against one real `lagesbild serve --demo` for them all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.support.serve_process import serve_process

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
"""Without the networking flags chromium keeps calling home, and this machine's closed network refuses it."""
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The fixtures below live for this package only: Playwright's sync API keeps an event loop running
# in the main thread while it is open, and the asyncio tests after these need that thread's loop free.


@pytest.fixture(scope="package")
def server() -> Iterator[tuple[str, Path]]:
    """`lagesbild serve --demo` on its own embedded PostgreSQL: its base URL and data folder."""
    with serve_process("--demo") as running:
        yield running


@pytest.fixture(scope="package")
def base_url(server: tuple[str, Path]) -> str:
    """Where the server answers."""
    return server[0]


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless chromium for every browser test."""
    assert CHROMIUM.exists(), "the browser tests need Debian's chromium: apt-get install chromium (see the README)"
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) per test."""
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A tab of the test's profile."""
    return context.new_page()


def sign_in(page: Page, *roles: str, org: str = "kommunen", sub: str = "test-samordnare") -> None:
    """Sign in through the development form, as a person would: by the fields' labels."""
    labels = {"reporter": "Rapportör", "coordinator": "Samordnare", "auditor": "Granskare", "admin": "Administratör"}
    page.goto("/login")
    page.get_by_label("Organisation").fill(org)
    for role in roles:
        page.get_by_label(labels[role]).check()
    page.get_by_label("Användar-id").fill(sub)
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator(".user-name")).to_have_text(sub)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now (axe is injected by the test only)."""
    page.evaluate(AXE)  # through the browser's debugging protocol, which the page's CSP does not govern
    found: list[dict[str, Any]] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)}))",
        WCAG_AA,
    )
    return found
