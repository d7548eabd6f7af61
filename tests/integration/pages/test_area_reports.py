"""Område's reports through HTTP: newest first, filtered, page by page; bad filter values beside their fields."""

from __future__ import annotations

import html
import re

import pytest

from tests.integration.api.conftest import Token
from tests.support.area_page import Area, rows
from tests.support.read_log import recorded_reads

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_reports_newest_first_without_retracted_ones(area: Area) -> None:
    page = (await area.page()).text
    assert len(re.findall(r'<td><a href="/rapporter/[0-9a-f-]{36}">', page)) == 5  # each report's own page
    listed = rows(page, "rapportlista")
    assert [(r[0], r[2], r[3], r[4], r[6]) for r in listed] == [
        ("2026-W48", "Bristande belysning", "2", "Parkeringen", "kommunen"),
        ("2026-W48", "Klotter", "3", "Gångtunneln", "polisen"),
        ("2026-W47", "Klotter", "2", "Torget", "polisen"),
        ("2026-W46", "Klotter", "4", "Torget", "polisen"),
        ("2026-W45", "Klotter", "1", "Torget", "polisen"),
    ]
    assert listed[1][1] == "2026-11-24 20:00"


FILTERS: list[tuple[dict[str, str], list[tuple[str, str]] | None]] = [
    ({"kategori": "klotter"}, [(f"2026-W{n}", "Klotter") for n in (48, 47, 46, 45)]),
    ({"organisation": "kommunen"}, [("2026-W48", "Bristande belysning")]),
    ({"vecka": "2026-W47"}, [("2026-W47", "Klotter")]),
    ({"kategori": "klotter", "vecka": "2026-W48", "organisation": "polisen"}, [("2026-W48", "Klotter")]),
    ({"kategori": "brand"}, []),
    ({"kategori": "", "organisation": "", "vecka": ""}, None),
]  # fmt: skip
"""Filters and the reports (week, category) they leave; None: all five, as without filters."""


async def test_the_reports_filtered(area: Area) -> None:
    for params, expected in FILTERS:
        answer = await area.page(**params)
        assert answer.status_code == 200, answer.text
        listed = rows(answer.text, "rapportlista")
        if expected is None:
            assert len(listed) == 5
        elif not expected:
            assert listed == [["Inga rapporter som matchar filtret."]]
        else:
            assert [(r[0], r[2]) for r in listed] == expected, params
        for name, value in params.items():
            if value and name != "kategori":
                assert f'name="{name}" type="text"\n         value="{value}"' in answer.text
        if params.get("kategori"):
            assert f'<option value="{params["kategori"]}" selected>' in answer.text


WEEKS_1_TO_52 = "Ange antal veckor som ett heltal från 1 till 52"
A_REAL_WEEK = "Ange en vecka som finns, som år och veckonummer, till exempel 2026-W47"


BAD_FILTERS: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"veckor": "53"}, {"veckor": WEEKS_1_TO_52}),
    ({"veckor": "0"}, {"veckor": WEEKS_1_TO_52}),
    ({"veckor": "åtta"}, {"veckor": WEEKS_1_TO_52}),
    ({"kategori": "katter"}, {"kategori": "Välj en kategori i listan"}),
    ({"vecka": "vecka 47"}, {"vecka": A_REAL_WEEK}),
    ({"vecka": "2026-W54"}, {"vecka": A_REAL_WEEK}),
    ({"organisation": "x" * 65}, {"organisation": "Organisationen får vara högst 64 tecken"}),
    ({"organisation": "811228-9874"}, {"organisation": "Organisationen ser ut att innehålla ett personnummer"}),
    ({"organisation": "kontakt@example.se"}, {"organisation": "Organisationen ser ut att innehålla en e-postadress"}),
    ({"vecka": "47", "veckor": "-1", "kategori": "klotter"}, {"veckor": WEEKS_1_TO_52, "vecka": A_REAL_WEEK}),
]
"""Bad filter values and the errors they give, by field, in the page's order."""


async def test_bad_filter_values_stand_beside_their_fields_and_show_no_data(area: Area, auth: Token) -> None:
    before = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    for params, errors in BAD_FILTERS:
        answer = await area.page(**params)
        assert answer.status_code == 400, answer.text
        assert "<title>Fel: Råslätt – Lägesbild</title>" in answer.text
        summary = re.findall(r'<li><a href="#([a-z]+)">([^<]*)</a></li>', answer.text)
        assert [(field, html.unescape(message)[: len(errors[field])]) for field, message in summary] == list(
            errors.items()
        )
        for field in errors:
            assert f'id="{field}-error"' in answer.text
            assert re.search(rf'aria-describedby="(?:{field}-hint )?{field}-error" aria-invalid="true"', answer.text)
        for field, value in params.items():
            if field != "kategori":
                assert f'value="{html.escape(value)}"' in answer.text  # kept as typed
            elif field in errors:
                assert " selected>" not in answer.text  # a category not in the list: the list shows all
            else:
                assert f'<option value="{value}" selected>' in answer.text
        assert 'id="rapportlista"' not in answer.text
        assert 'role="img"' not in answer.text
    after = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    assert after == before


async def test_a_filter_given_twice_is_refused_so_that_every_value_is_checked(area: Area, auth: Token) -> None:
    before = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    answer = await area.page(organisation=["polisen", "811228-9874"])
    assert answer.status_code == 400, answer.text
    assert '<li><a href="#organisation">Ange bara ett värde</a></li>' in answer.text
    after = await recorded_reads(area.client, auth, area.tenant, resource="picture", actor="test-samordnare")
    assert after == before


async def test_older_reports_page_by_page_with_the_same_filters(area: Area, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("service.pages.area.REPORTS_SHOWN", 2)  # pages of two reports
    for params, query, expected in (
        ({"veckor": "4"}, "veckor=4", ["2026-W48", "2026-W48", "2026-W47", "2026-W46", "2026-W45"]),
        ({"kategori": "klotter"}, "kategori=klotter", ["2026-W48", "2026-W47", "2026-W46", "2026-W45"]),
    ):
        seen: list[str] = []
        answer = await area.page(**params)
        for _ in expected:  # no more pages than reports
            assert answer.status_code == 200, answer.text
            seen += [r[0] for r in rows(answer.text, "rapportlista")]
            older = re.search(r'<a href="([^"]+)">Äldre rapporter</a>', answer.text)
            if older is None:
                break
            assert html.unescape(older.group(1)).startswith(f"/omraden/{area.id}?{query}&fran=")
            answer = await area.client.get(html.unescape(older.group(1)))
            assert f'<a href="/omraden/{area.id}?{query}#rapporter">De senaste rapporterna</a>' in answer.text
        else:
            pytest.fail("the link to older reports never ends")
        assert seen == expected


async def test_a_broken_link_to_older_reports_is_said_in_words(area: Area) -> None:
    answer = await area.page(fran="9" * 30)
    assert answer.status_code == 400
    assert '<li><a href="#rapporter">Länken till äldre rapporter gäller inte' in answer.text
