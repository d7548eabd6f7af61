"""Insatser through HTTP: planning once per form, moving through the states, follow-ups, stale versions, roles."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.api.conftest import Client, Token, head
from tests.integration.pages.test_sessions import _csrf, _sign_in
from tests.integration.pages.test_weekly_page import _area
from tests.support.read_log import new_tenant, recorded_reads


async def _report(client: Client, auth: Token, tenant: str, area_id: str) -> str:
    body = {"area_id": area_id, "category": "klotter", "occurred_at": "2026-11-20T21:30:00+01:00", "count": 2}
    answer = await client.post("/api/v1/reports", json=body, headers=auth("reporter", tenant=tenant))
    assert answer.status_code == 201, answer.text
    seen = await client.get("/api/v1/picture", params={"min_position": answer.json()["position"]},
                            headers=auth("reporter", tenant=tenant))  # fmt: skip
    assert seen.status_code == 200
    return str(answer.json()["id"])


async def _plan_form(client: Client) -> dict[str, Any]:
    page = await client.get("/insatser/ny")
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token
    return {"_csrf_token": await _csrf(client, "/insatser/ny"), "token": token.group(1)}


async def _planned(client: Client, auth: Token, roles: tuple[str, ...] = ("coordinator",)) -> tuple[str, str, str]:
    """A tenant of the test's own with an area, a report and an action planned in the form: tenant, area, action."""
    tenant = new_tenant()
    area_id = await _area(client, auth, tenant)
    report_id = await _report(client, auth, tenant, area_id)
    await _sign_in(client, tenant=tenant, roles=("coordinator",))
    form = await _plan_form(client)
    form |= {"area_id": area_id, "title": "Bättre belysning i gångtunneln", "responsible_org": "kommunen"}
    form |= {"report_ids": [report_id], "categories": ["klotter", "otrygg-plats"], "starts_on": "2026-12-07"}
    answer = await client.post("/insatser", data=form)
    assert answer.status_code == 303, answer.text
    action_id = answer.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert (await client.get(answer.headers["location"])).status_code == 200  # waits for the picture to have it
    if roles != ("coordinator",):
        await _sign_in(client, tenant=tenant, roles=roles)
    return tenant, area_id, action_id


async def _version(client: Client, action_id: str) -> str:
    page = await client.get(f"/insatser/{action_id}")
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found, page.text
    return found.group(1)


async def _move(client: Client, action_id: str, status: str, version: str | None = None) -> Any:
    form = {"_csrf_token": await _csrf(client, "/insatser"), "status": status}
    form["version"] = version or await _version(client, action_id)
    return await client.post(f"/insatser/{action_id}/status", data=form)


async def test_the_plan_form_sent_twice_plans_one_action(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    area_id = await _area(client, auth, tenant)
    await _sign_in(client, tenant=tenant)
    form = await _plan_form(client) | {"area_id": area_id, "title": "Nattvandring", "responsible_org": "kommunen"}
    first, second = await client.post("/insatser", data=form), await client.post("/insatser", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].split("?")[0] == second.headers["location"].split("?")[0]
    position = first.headers["location"].split("min_position=")[1]
    listed = await client.get(
        "/api/v1/actions", params={"min_position": position}, headers=auth("reporter", tenant=tenant)
    )
    assert [a["title"] for a in listed.json()["actions"]] == ["Nattvandring"]


async def test_the_plan_form_sent_again_with_other_values_asks_to_send_it_anew(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    area_id = await _area(client, auth, tenant)
    await _sign_in(client, tenant=tenant)
    form = await _plan_form(client) | {"area_id": area_id, "title": "Nattvandring", "responsible_org": "kommunen"}
    first = await client.post("/insatser", data=form)
    assert first.status_code == 303
    changed = await client.post("/insatser", data=form | {"title": "Nattvandring v. 49"})
    assert changed.status_code == 400
    assert "Formuläret skickades redan med andra uppgifter" in changed.text
    assert 'value="Nattvandring v. 49"' in changed.text  # the input is kept
    fresh = re.search(r'name="token" value="([^"]+)"', changed.text)
    assert fresh
    assert fresh.group(1) != form["token"]
    again = await client.post("/insatser", data=form | {"title": "Nattvandring v. 49", "token": fresh.group(1)})
    assert again.status_code == 303
    assert again.headers["location"].split("?")[0] != first.headers["location"].split("?")[0]


async def test_the_plan_form_refuses_invisible_characters_and_numbers_split_across_fields(
    client: Client, auth: Token
) -> None:
    tenant = new_tenant()
    area_id = await _area(client, auth, tenant)
    await _sign_in(client, tenant=tenant)
    form = await _plan_form(client) | {"area_id": area_id, "responsible_org": "kommunen"}
    invisible = await client.post("/insatser", data=form | {"title": "Natt\u200bvandring"})
    assert invisible.status_code == 400
    assert "Titeln får inte innehålla osynliga tecken" in invisible.text
    split = await client.post("/insatser", data=form | {"title": "Samtal 811218", "description": "-9876"})
    assert split.status_code == 400
    assert "tillsammans med formulärets andra fält" in split.text


async def test_a_planned_action_links_its_reports_and_categories(client: Client, auth: Token) -> None:
    tenant, _, action_id = await _planned(client, auth)
    detail = await client.get(f"/api/v1/actions/{action_id}", headers=auth("reporter", tenant=tenant))
    assert detail.json()["categories"] == ["klotter", "otrygg-plats"]
    assert len(detail.json()["report_ids"]) == 1
    page = await client.get(f"/insatser/{action_id}")
    assert "Klotter, vecka 2026-W47, 2 st (polisen)" in page.text
    assert '<span class="status status--planned">Planerad</span>' in page.text
    assert "<dd>Klotter, Otrygg plats</dd>" in page.text


async def test_an_action_is_started_followed_up_and_completed(client: Client, auth: Token) -> None:
    _, _, action_id = await _planned(client, auth)
    started = await _move(client, action_id, "started")
    assert started.status_code == 303
    page = await client.get(started.headers["location"])
    assert '<span class="status status--started">Pågår</span>' in page.text
    assert ">Avsluta</button>" in page.text
    assert ">Påbörja</button>" not in page.text
    form = {"_csrf_token": await _csrf(client, "/insatser"), "version": await _version(client, action_id)}
    answer = await client.post(
        f"/insatser/{action_id}/uppfoljningar", data=form | {"effect": "improved", "note": "Mindre klotter"}
    )
    assert answer.status_code == 303
    assert "<td>Förbättring</td><td>Mindre klotter</td>" in (await client.get(answer.headers["location"])).text
    completed = await _move(client, action_id, "completed")
    assert completed.status_code == 303
    await client.get(completed.headers["location"])  # read-your-writes: the list below is at least as new
    listed = await client.get("/insatser")
    row = re.search(rf'<tr data-action-id="{action_id}">.*?</tr>', listed.text, re.S)
    assert row
    assert "Avslutad" in row.group(0)
    assert "Förbättring" in row.group(0)


async def test_an_action_can_be_cancelled(client: Client, auth: Token) -> None:
    _, _, action_id = await _planned(client, auth)
    answer = await _move(client, action_id, "cancelled")
    assert answer.status_code == 303
    page = await client.get(answer.headers["location"])
    assert '<span class="status status--cancelled">Inställd</span>' in page.text
    assert "Flytta insatsen vidare" not in page.text


async def test_a_stale_page_moves_nothing(client: Client, auth: Token) -> None:
    _, _, action_id = await _planned(client, auth)
    version = await _version(client, action_id)
    assert (await _move(client, action_id, "started", version)).status_code == 303
    before = await head(client)
    answer = await _move(client, action_id, "cancelled", version)  # the second click of a stale page
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("text/html")
    assert "Insatsen har ändrats av någon annan" in answer.text
    assert await head(client) == before


async def test_plan_errors_stand_beside_their_fields_and_personal_data_is_refused(client: Client, auth: Token) -> None:
    tenant = new_tenant()
    area_id = await _area(client, auth, tenant)
    await _sign_in(client, tenant=tenant)
    before = await head(client)
    form = await _plan_form(client) | {"title": "", "responsible_org": "kommunen", "starts_on": "7 december"}
    answer = await client.post("/insatser", data=form)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert '<a href="#omrade">Välj område</a>' in answer.text
    assert '<a href="#titel">Ange titeln</a>' in answer.text
    assert '<a href="#startdatum">Ange startdatumet som ett datum' in answer.text
    assert 'value="7 december"' in answer.text
    form |= {"area_id": area_id, "title": "Samtal", "starts_on": "", "description": "Kontakt: namn@example.se"}
    answer = await client.post("/insatser", data=form)
    assert answer.status_code == 400
    assert '<a href="#beskrivning">Beskrivningen ser ut att innehålla en e-postadress' in answer.text
    assert ">Kontakt: namn@example.se</textarea>" in answer.text
    assert await head(client) == before


async def test_others_see_actions_but_cannot_change_them(client: Client, auth: Token) -> None:
    _, _, action_id = await _planned(client, auth, roles=("reporter", "auditor"))
    listed = await client.get("/insatser")
    assert listed.status_code == 200
    assert "Bättre belysning i gångtunneln" in listed.text
    assert "Planera insats" not in listed.text
    page = await client.get(f"/insatser/{action_id}")
    assert ">Påbörja</button>" not in page.text
    assert (await client.get("/insatser/ny")).status_code == 403
    before = await head(client)
    answer = await _move(client, action_id, "started", version="1")
    assert answer.status_code == 403
    assert "Du saknar behörighet" in answer.text
    form = {"_csrf_token": await _csrf(client, "/insatser"), "title": "Nej", "responsible_org": "polisen"}
    assert (await client.post("/insatser", data=form)).status_code == 403
    assert await head(client) == before


async def test_the_action_pages_are_recorded_in_the_read_log(client: Client, auth: Token) -> None:
    tenant, _, action_id = await _planned(client, auth)
    assert (await client.get("/insatser")).status_code == 200
    assert (await client.get(f"/insatser/{action_id}")).status_code == 200
    reads = await recorded_reads(client, auth, tenant, actor="test-samordnare")
    kinds = {(r["resource"], r["route"]) for r in reads}
    assert ("actions", "GET /insatser") in kinds
    assert ("action", "GET /insatser/{action_id}") in kinds


async def test_a_follow_up_with_personal_data_or_at_a_stale_version_stores_nothing(client: Client, auth: Token) -> None:
    _, _, action_id = await _planned(client, auth)
    started = await _move(client, action_id, "started")
    await client.get(started.headers["location"])
    before = await head(client)
    form = {"_csrf_token": await _csrf(client, "/insatser"), "version": await _version(client, action_id)}
    note = "Ring 070-123 45 67 om det händer igen"
    answer = await client.post(f"/insatser/{action_id}/uppfoljningar", data=form | {"effect": "unknown", "note": note})
    assert answer.status_code == 400
    assert '<a href="#anteckning">Anteckningen ser ut att innehålla ett telefonnummer' in answer.text
    assert f">{note}</textarea>" in answer.text
    assert 'value="unknown" checked' in answer.text
    stale = form | {"version": "1", "effect": "improved", "note": "Lugnare"}
    answer = await client.post(f"/insatser/{action_id}/uppfoljningar", data=stale)
    assert answer.status_code == 409
    assert "Insatsen har ändrats av någon annan" in answer.text
    assert await head(client) == before
