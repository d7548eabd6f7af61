"""Område's patterns and places through HTTP: weekday × hour and the months, of all categories or of one."""

from __future__ import annotations

import html
import re

import pytest

from tests.integration.api.conftest import Token
from tests.support.area_page import Area, rows
from tests.support.read_log import recorded_reads

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_patterns_by_weekday_and_hour_and_by_month_as_tables_with_their_numbers(area: Area) -> None:
    page = (await area.page()).text
    grid = rows(page, "monster-veckodag-timme")
    assert [row[0] for row in grid] == ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"]
    assert {len(row) for row in grid} == {26}  # the day, 24 hours, the total
    hour_20 = 21  # (the day's name comes first)
    assert (grid[1][hour_20], grid[1][-1]) == ("5", "5")  # Tuesday 20:00: klotter 3, belysning 2 (the fire retracted)
    assert (grid[2][hour_20], grid[2][-1]) == ("7", "7")  # Wednesdays 20:00: klotter 1 + 4 + 2
    assert sum(int(cell) for row in grid for cell in row[1:-1]) == 12
    assert 'class="heat heat--4">7<' in page  # the largest cell darkest, its number written in it
    months = rows(page, "monster-manader")
    assert (len(months), months[0], months[-1]) == (12, ["december 2025", "0"], ["november 2026", "12"])
    assert "Förekomster i alla kategorier 1 december 2025 till 25 november 2026, svensk tid." in page
    assert "Inga förekomster rapporterade för en hel vecka." in page


HOUR_20 = 21
"""The grid's column of 20:00 (the day's name comes first)."""


@pytest.mark.parametrize(
    ("category", "name", "tuesday", "wednesday"),
    [("klotter", "Klotter", "3", "7"), ("belysning", "Bristande belysning", "2", "0"), ("brand", "Brand", "0", "0")],
)
async def test_the_patterns_of_one_category_chosen_with_the_rest_of_the_page_as_it_was(
    area: Area, category: str, name: str, tuesday: str, wednesday: str
) -> None:
    answer = await area.page(monsterkategori=category, veckor="4")
    assert answer.status_code == 200, answer.text
    page = answer.text
    grid = rows(page, "monster-veckodag-timme")
    assert (grid[1][HOUR_20], grid[2][HOUR_20]) == (tuesday, wednesday)  # the retracted fire counts nowhere
    total = int(tuesday) + int(wednesday)
    assert rows(page, "monster-manader")[-1] == ["november 2026", str(total)]
    assert f"Förekomster i kategorin <strong>{name}</strong> 1 december 2025 till 25 november 2026" in page
    assert f'<option value="{category}" selected>' in page
    assert len(rows(page, "rapportlista")) == 5  # the reports' own filter is another
    assert page.count('role="img"') == 2  # the charts: every category, over the weeks chosen
    # Each of the page's other forms keeps the category of the patterns, and this one the weeks.
    assert page.count(f'<input type="hidden" name="monsterkategori" value="{category}">') == 2
    assert '<input type="hidden" name="veckor" value="4">' in page


async def test_a_category_of_the_patterns_not_in_the_list_stands_beside_its_field(area: Area, auth: Token) -> None:
    before = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    answer = await area.page(monsterkategori="katter", kategori="klotter")
    assert answer.status_code == 400, answer.text
    summary = re.findall(r'<li><a href="#([a-z]+)">([^<]*)</a></li>', answer.text)
    assert summary == [("monsterkategori", "Välj en kategori i listan")]
    assert re.search(r'id="monsterkategori-error"', answer.text)
    assert '<option value="klotter" selected>' in answer.text  # the reports' filter kept
    assert 'id="monster-veckodag-timme"' not in answer.text
    after = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    assert after == before


async def test_the_links_to_older_reports_keep_the_category_of_the_patterns(area: Area) -> None:
    page = (await area.page(monsterkategori="klotter", fran="3")).text
    newest = re.search(r'<a href="([^"]+)">De senaste rapporterna</a>', page)
    assert newest, page
    assert html.unescape(newest.group(1)) == f"/omraden/{area.id}?monsterkategori=klotter#rapporter"


async def test_without_a_boundary_or_located_reports_no_map_and_no_hot_cell(area: Area) -> None:
    page = (await area.page()).text
    assert rows(page, "heta-rutor") == [["Ingen ruta har så många rapporter under perioden."]]
    assert 'class="map"' not in page
    assert "Rutor med minst 3 rapporter de senaste 8 veckorna" in page
