"""Rapportera and a report's page through HTTP: roles, refusals, idempotent submits, corrections, retraction."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from tests.integration.api.conftest import Client, Token, head
from tests.support.read_log import new_tenant, recorded_reads

TIME = "2026-11-20 21:30"
# A made-up personal identity number with a valid check digit (Skatteverket's test number): it must be refused.
IDENTITY_NUMBER = "19121212-1212"


async def _csrf(client: Client, path: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get(path)).text)
    assert found
    return found.group(1)


async def _sign_in(
    client: Client, *roles: str, org: str = "vatterhem", tenant: str = "jonkoping", sub: str = "test-rapportor"
) -> None:
    form = {"_csrf_token": await _csrf(client, "/login"), "tenant": tenant, "org": org, "roles": list(roles)}
    answer = await client.post("/login", data=form | {"sub": sub})
    assert answer.status_code == 303, answer.text


async def _area(client: Client, auth: Token, tenant: str = "jonkoping") -> str:
    body = {"code": f"omrade-{uuid.uuid4().hex[:8]}", "name": "Råslätt"}
    answer = await client.post("/api/v1/areas", json=body, headers=auth("admin", tenant=tenant))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _form(client: Client, area: str, **fields: str) -> dict[str, Any]:
    """A filled-in form as the page gives it (its CSRF and idempotency tokens), with `fields` changed."""
    page = await client.get("/rapportera")
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.text)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    assert csrf
    form = {
        "_csrf_token": csrf.group(1),
        "token": token.group(1),
        "omrade": area,
        "kategori": "klotter",
        "tidpunkt": TIME,
        "vecka": "",
        "antal": "2",
        "plats": "Gångtunneln vid centrum",
        "beskrivning": "Nytt klotter på båda väggarna",
        "kalla": "own_observation",
    }
    return form | fields


async def _submit(client: Client, auth: Token, **fields: str) -> tuple[str, dict[str, Any]]:
    """Sign in as a reporter, send a report; its page's path."""
    await _sign_in(client, "reporter")
    form = await _form(client, await _area(client, auth), **fields)
    answer = await client.post("/rapportera", data=form)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0], form


async def _api_report(client: Client, auth: Token, path: str) -> dict[str, Any]:
    answer = await client.get(f"/api/v1/reports/{path.rsplit('/', 1)[1]}", headers=auth("auditor"))
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


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


async def test_refusals_stand_beside_their_fields_with_the_input_kept(client: Client, auth: Token) -> None:
    await _sign_in(client, "reporter")
    before = await head(client)
    description = f"Ring {IDENTITY_NUMBER} om klottret"
    form = await _form(client, "", beskrivning=description, antal="tre", tidpunkt="2999-01-01 10:00")
    answer = await client.post("/rapportera", data=form)
    assert answer.status_code == 400
    assert "<title>Fel: Rapportera" in answer.text
    assert '<a href="#omrade">Välj vilket område rapporten gäller</a>' in answer.text
    assert '<a href="#antal">Antal måste vara ett heltal mellan 1 och 10 000</a>' in answer.text
    assert "Beskrivning ser ut att innehålla ett personnummer eller samordningsnummer" in answer.text
    assert 'id="beskrivning-error"' in answer.text
    assert 'aria-describedby="beskrivning-hint beskrivning-error" aria-invalid="true"' in answer.text
    assert description in answer.text
    assert 'value="tre"' in answer.text
    assert f'name="token" value="{form["token"]}"' in answer.text  # the same submit, once it is put right
    form = form | {"omrade": await _area(client, auth), "antal": "3", "beskrivning": ""}
    answer = await client.post("/rapportera", data=form)
    assert answer.status_code == 400
    assert '<a href="#tidpunkt">Tidpunkt ligger i framtiden. Ange när det hände – senast nu</a>' in answer.text
    assert 'value="2999-01-01 10:00"' in answer.text
    assert await head(client) == before + 1  # the area, no report


async def test_missing_when_and_both_when(client: Client, auth: Token) -> None:
    await _sign_in(client, "reporter")
    area = await _area(client, auth)
    answer = await client.post("/rapportera", data=await _form(client, area, tidpunkt="", kategori=""))
    assert '<a href="#kategori">Välj en kategori</a>' in answer.text
    assert "Ange när det hände: en tidpunkt, eller veckan om du inte vet dagen" in answer.text
    answer = await client.post("/rapportera", data=await _form(client, area, vecka="47"))
    assert '<a href="#tidpunkt">Fyll i antingen Tidpunkt eller Vecka, inte båda</a>' in answer.text


async def test_a_tampered_choice_or_a_future_week_is_refused_in_words(client: Client, auth: Token) -> None:
    await _sign_in(client, "reporter")
    area = await _area(client, auth)
    answer = await client.post("/rapportera", data=await _form(client, area, kategori="finns-inte"))
    assert '<a href="#kategori">Välj en av kategorierna i listan</a>' in answer.text
    answer = await client.post("/rapportera", data=await _form(client, str(uuid.uuid4())))
    assert '<a href="#omrade">Välj ett av områdena i listan' in answer.text
    answer = await client.post("/rapportera", data=await _form(client, area, tidpunkt="", vecka="2999-W01"))
    assert '<a href="#vecka">Vecka ligger i framtiden. Ange när det hände – senast nu</a>' in answer.text
    answer = await client.post("/rapportera", data=await _form(client, area, tidpunkt="", vecka="v 60"))
    assert '<a href="#vecka">Det finns ingen sådan vecka' in answer.text


async def _correction(client: Client, path: str, version: int, **fields: str) -> Any:
    page = await client.get(path)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert csrf
    assert "Rätta rapporten" in page.text
    form = {
        "_csrf_token": csrf.group(1),
        "version": str(version),
        "omrade": re.search(r'<option value="([0-9a-f-]{36})" selected>', page.text).group(1),  # type: ignore[union-attr]
        "kategori": "klotter",
        "tidpunkt": TIME,
        "vecka": "",
        "antal": "2",
        "plats": "Gångtunneln vid centrum",
        "beskrivning": "Nytt klotter på båda väggarna",
        "kalla": "own_observation",
        "anledning": "Fel antal",
    }
    return await client.post(f"{path}/rattelse", data=form | fields)


async def test_a_correction_with_a_reason_and_a_stale_version(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    answer = await _correction(client, path, 1, antal="5")
    assert (answer.status_code, answer.headers["location"]) == (303, f"{path}?klart=rattad")
    assert (await _api_report(client, auth, path))["count"] == 5
    before = await head(client)
    again = await _correction(client, path, 1, antal="5")  # the same correction sent twice
    assert (again.status_code, await head(client)) == (303, before)
    stale = await _correction(client, path, 1, antal="7", plats="Torget")
    assert stale.status_code == 409
    assert "Någon annan har ändrat rapporten sedan du öppnade sidan" in stale.text
    assert 'value="Torget"' in stale.text
    assert 'name="version" value="2"' in stale.text
    assert await head(client) == before
    unchanged = await _correction(client, path, 2, antal="5")
    assert unchanged.status_code == 400
    assert "Inget skulle ändras" in unchanged.text
    personal = await _correction(client, path, 2, antal="6", anledning="Ring 070-123 45 67")
    assert "Anledningen ser ut att innehålla ett telefonnummer" in personal.text
    assert (await _api_report(client, auth, path))["version"] == 2


async def test_a_retraction_with_a_reason(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    csrf = await _csrf(client, path)
    answer = await client.post(f"{path}/aterkallelse", data={"_csrf_token": csrf, "version": "1", "anledning": ""})
    assert answer.status_code == 400
    assert '<a href="#aterkallelse-anledning">Skriv varför' in answer.text
    form = {"_csrf_token": csrf, "version": "1", "anledning": "Dubbelrapporterad"}
    answer = await client.post(f"{path}/aterkallelse", data=form)
    assert (answer.status_code, answer.headers["location"]) == (303, f"{path}?klart=aterkallad")
    assert (await _api_report(client, auth, path))["status"] == "retracted"
    page = await client.get(f"{path}?klart=aterkallad")
    assert '<dd id="status">Tillbakadragen</dd>' in page.text
    assert "Rätta rapporten" not in page.text


async def test_a_redacted_report_can_be_withdrawn_but_not_corrected(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    redaction = {"reason": "Gallring"}
    answer = await client.post(
        f"{path.replace('/rapporter/', '/api/v1/reports/')}/redaction", json=redaction, headers=auth("coordinator")
    )
    assert answer.status_code == 200, answer.text
    page = await client.get(path)
    assert "<dd>Maskad</dd>" in page.text
    assert "Gångtunneln" not in page.text
    assert "Rätta rapporten" not in page.text
    assert "Dra tillbaka rapporten" in page.text


async def test_another_organisation_reads_but_may_not_change(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    await _sign_in(client, "reporter", org="polisen", sub="test-polis")
    page = await client.get(path)
    assert page.status_code == 200
    assert "Rätta rapporten" not in page.text
    csrf = await _csrf(client, path)
    answer = await client.post(f"{path}/aterkallelse", data={"_csrf_token": csrf, "version": "1", "anledning": "x"})
    assert answer.status_code == 403
    assert (await _correction_as_coordinator(client, path)).status_code == 303


async def _correction_as_coordinator(client: Client, path: str) -> Any:
    await _sign_in(client, "coordinator", org="kommunen", sub="test-samordnare")
    return await _correction(client, path, 1, plats="Torget")


async def test_another_partnerships_report_does_not_exist(client: Client, auth: Token) -> None:
    path, _ = await _submit(client, auth)
    await _sign_in(client, "reporter", tenant=new_tenant())
    answer = await client.get(path)
    assert answer.status_code == 404
    assert "Sidan finns inte" in answer.text


async def test_the_report_page_is_recorded_in_the_read_log(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    await _sign_in(client, "reporter", tenant=tenant)
    form = await _form(client, await _area(client, auth, tenant))
    path = (await client.post("/rapportera", data=form)).headers["location"].split("?")[0]
    assert (await client.get(path)).status_code == 200
    missing = str(uuid.uuid4())
    assert (await client.get(f"/rapporter/{missing}")).status_code == 404
    reads = await recorded_reads(client, auth, tenant, resource="report")
    assert sorted((r["actor"], r["resource_id"], r["route"], r["status"]) for r in reads) == sorted(
        [
            ("test-rapportor", path.rsplit("/", 1)[1], "GET /rapporter/{report_id}", 200),
            ("test-rapportor", missing, "GET /rapporter/{report_id}", 404),
        ]
    )
