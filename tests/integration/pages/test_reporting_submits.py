"""Rapportera through HTTP: the form's fields, who may report, a submit and its receipt, a form sent again."""

from __future__ import annotations

import asyncio
import re

from tests.integration.api.conftest import Client, Token, head
from tests.integration.pages.conftest import TIME, _api_report, _area, _csrf, _form, _sign_in, _submit


async def test_the_form_has_its_fields_by_their_labels(client: Client) -> None:
    await _sign_in(client, "reporter")
    page = (await client.get("/rapportera")).text
    for field_id, label in [
        ("omrade", "Område"),
        ("kategori", "Kategori"),
        ("tidpunkt", "Tidpunkt"),
        ("vecka", "Vecka"),
    ]:
        assert f'<label class="label" for="{field_id}">{label}</label>' in page
    for field_id, label in [("antal", "Antal"), ("plats", "Plats"), ("beskrivning", "Beskrivning")]:
        assert f'<label class="label" for="{field_id}">{label}</label>' in page
    assert '<legend class="fieldset__legend">Källa</legend>' in page
    assert '<button type="submit" class="button">Skicka</button>' in page


async def test_only_reporters_may_report(client: Client, auth: Token) -> None:
    await _sign_in(client, "coordinator", "auditor", "admin")
    assert (await client.get("/rapportera")).status_code == 403
    before = await head(client)
    form = {"_csrf_token": await _csrf(client, "/"), "omrade": await _area(client, auth), "kategori": "klotter"}
    answer = await client.post("/rapportera", data=form | {"tidpunkt": TIME})
    assert answer.status_code == 403
    assert "Du saknar behörighet" in answer.text
    assert await head(client) == before + 1  # the area only


async def test_a_submit_goes_to_the_report_with_its_receipt(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    report = await _api_report(client, auth, path)
    assert (report["category"], report["count"], report["place"], report["org"]) == (
        "klotter",
        2,
        "Gångtunneln vid centrum",
        "vatterhem",
    )
    assert report["occurred_at"].startswith("2026-11-20T21:30:00+01:00")
    await _sign_in(client, "reporter")
    position = await head(client)
    page = await client.get(f"{path}?kvitto={position}")
    assert page.status_code == 200
    assert "Rapporten är mottagen" in page.text
    assert f'<dd id="kvitto-id">{report["id"]}</dd>' in page.text
    assert f'<dd id="kvitto-position">{position}</dd>' in page.text
    assert "Nytt klotter på båda väggarna" in page.text


async def test_a_week_instead_of_a_time(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth, tidpunkt="", vecka="2026-W47")
    report = await _api_report(client, auth, path)
    assert (report["occurred_at"], report["week"]) == (None, "2026-W47")


async def test_a_re_sent_or_double_clicked_form_stores_one_report(client: Client, auth: Token) -> None:
    await _sign_in(client, "reporter")
    form = await _form(client, await _area(client, auth))
    first = await client.post("/rapportera", data=form)
    assert first.status_code == 303
    before = await head(client)
    again = await client.post("/rapportera", data=form)
    both = await asyncio.gather(client.post("/rapportera", data=form), client.post("/rapportera", data=form))
    assert {a.headers["location"] for a in (again, *both)} == {first.headers["location"]}
    assert await head(client) == before
    other = await client.post("/rapportera", data=await _form(client, form["omrade"]))
    assert other.headers["location"] != first.headers["location"]  # a newly rendered form is a new report


async def test_a_form_sent_again_with_other_values_asks_to_send_it_anew(client: Client, auth: Token) -> None:
    await _sign_in(client, "reporter")
    form = await _form(client, await _area(client, auth))
    first = await client.post("/rapportera", data=form)
    assert first.status_code == 303
    before = await head(client)
    changed = await client.post("/rapportera", data=form | {"antal": "5"})
    assert changed.status_code == 400
    assert "Formuläret skickades redan med andra uppgifter" in changed.text
    assert 'value="5"' in changed.text  # the input kept
    fresh = re.search(r'name="token" value="([0-9a-f]{32})"', changed.text)
    assert fresh
    assert fresh.group(1) != form["token"]
    assert await head(client) == before
    again = await client.post("/rapportera", data=form | {"antal": "5", "token": fresh.group(1)})
    assert again.status_code == 303
    assert again.headers["location"] != first.headers["location"]
