"""Veckans lägesbild through HTTP: the week and its neighbours, drafting and publishing, stale versions, CSV, roles."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from domain.weeks import shift_week, week_of
from tests.integration.api.conftest import Client, Token, head
from tests.integration.pages.test_sessions import _csrf, _sign_in
from tests.support.read_log import new_tenant, recorded_reads

THIS_WEEK = week_of(datetime.now(UTC))


async def _area(client: Client, auth: Token, tenant: str, name: str = "Råslätt") -> str:
    code = f"omrade-{name.encode().hex()[:12]}"
    admin = auth("admin", tenant=tenant)
    answer = await client.post("/api/v1/areas", json={"code": code, "name": name}, headers=admin)
    assert answer.status_code == 201, answer.text
    seen = await client.get("/api/v1/picture", params={"min_position": answer.json()["position"]}, headers=admin)
    assert seen.status_code == 200, seen.text  # the picture has the area now
    return str(answer.json()["id"])


async def _signed_in(client: Client, auth: Token, roles: tuple[str, ...] = ("coordinator",)) -> tuple[str, str]:
    """A tenant of the test's own with one area, and the client signed in to it; the tenant and the area's id."""
    tenant = new_tenant()
    area_id = await _area(client, auth, tenant)
    await _sign_in(client, tenant=tenant, roles=roles)
    return tenant, area_id


async def _post_assessment(client: Client, area_id: str, **form: str) -> tuple[int, str, str]:
    """POST the draft form as the browser would (its CSRF token and version from the form page)."""
    path = f"/lagesbild/{THIS_WEEK}/omraden/{area_id}"
    page = await client.get(path)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, page.text
    data = {"_csrf_token": await _csrf(client, path), "version": version.group(1)} | form
    answer = await client.post(path, data=data)
    if answer.status_code != 303:
        assert answer.headers["content-type"].startswith("text/html"), answer.headers
    return answer.status_code, answer.headers.get("location", ""), answer.text


async def test_this_week_has_every_area_and_a_previous_week_but_no_next(client: Client, auth: Token) -> None:
    await _signed_in(client, auth)
    answer = await client.get("/lagesbild")
    assert answer.status_code == 200
    assert f"Vecka <strong>{THIS_WEEK}</strong>" in answer.text
    assert '<th scope="row">Råslätt</th>' in answer.text
    assert "Ingen bedömning" in answer.text
    assert f'href="/lagesbild/{shift_week(THIS_WEEK, -1)}" rel="prev"' in answer.text
    assert 'rel="next"' not in answer.text
    assert f'href="/lagesbild/{THIS_WEEK}/csv"' in answer.text


async def test_an_earlier_week_links_both_ways_and_weeks_to_come_or_nonsense_have_no_page(
    client: Client, auth: Token
) -> None:
    await _signed_in(client, auth)
    answer = await client.get("/lagesbild/2026-W40")
    assert answer.status_code == 200
    assert 'href="/lagesbild/2026-W39" rel="prev"' in answer.text
    assert 'href="/lagesbild/2026-W41" rel="next"' in answer.text
    for path in (f"/lagesbild/{shift_week(THIS_WEEK, 1)}", "/lagesbild/2026-W60", "/lagesbild/forra-veckan"):
        assert (await client.get(path)).status_code == 404, path


async def test_a_coordinator_drafts_then_publishes_and_everyone_sees_it(client: Client, auth: Token) -> None:
    tenant, area_id = await _signed_in(client, auth)
    status, location, _ = await _post_assessment(
        client, area_id, level="yellow", summary="Mer klotter vid torget", handling="utkast"
    )
    assert (status, location.split("?")[0]) == (303, f"/lagesbild/{THIS_WEEK}")
    week_page = await client.get(location)
    assert "<strong>Utkast</strong> (ej publicerat): Gul" in week_page.text
    assert "Ingen publicerad bedömning" in week_page.text
    form = await client.get(f"/lagesbild/{THIS_WEEK}/omraden/{area_id}")
    assert ">Mer klotter vid torget</textarea>" in form.text
    assert 'value="yellow" checked' in form.text

    status, location, _ = await _post_assessment(
        client, area_id, level="red", summary="Mer klotter och bränder vid torget", handling="publicera"
    )
    assert status == 303
    published = await client.get(location)
    assert '<span class="level level--red">Röd</span>' in published.text
    assert "Mer klotter och bränder vid torget" in published.text
    api = await client.get(f"/api/v1/lagesbild/{THIS_WEEK}", headers=auth("reporter", tenant=tenant))
    assessment = api.json()["areas"][0]["assessment"]
    assert (assessment["level"], assessment["revision"]) == ("red", 1)


async def test_publishing_at_once_needs_no_separate_draft(client: Client, auth: Token) -> None:
    _, area_id = await _signed_in(client, auth)
    status, location, _ = await _post_assessment(client, area_id, level="green", summary="Lugnt", handling="publicera")
    assert status == 303
    assert '<span class="level level--green">Grön</span>' in (await client.get(location)).text


async def test_a_change_by_someone_else_meanwhile_is_not_overwritten(client: Client, auth: Token) -> None:
    tenant, area_id = await _signed_in(client, auth)
    path = f"/lagesbild/{THIS_WEEK}/omraden/{area_id}"
    token = await _csrf(client, path)  # the form as loaded: version 0
    other = {"level": "red", "summary": "Någon annans text"}
    answer = await client.put(f"/api/v1/areas/{area_id}/assessments/{THIS_WEEK}", json=other,
                              headers=auth("coordinator", tenant=tenant))  # fmt: skip
    assert answer.status_code == 201, answer.text
    before = await head(client)
    mine = {"_csrf_token": token, "version": "0", "level": "green", "summary": "Min text", "handling": "publicera"}
    answer = await client.post(path, data=mine)
    assert answer.status_code == 409
    assert "Någon annan har ändrat bedömningen" in answer.text
    assert ">Min text</textarea>" in answer.text
    assert 'id="saved-summary">Någon annans text' in answer.text
    assert 'name="version" value="1"' in answer.text  # sending again replaces it knowingly
    assert await head(client) == before


async def test_personal_data_is_refused_beside_the_summary_with_the_input_kept(client: Client, auth: Token) -> None:
    _, area_id = await _signed_in(client, auth)
    before = await head(client)
    summary = "Boende på 070-123 45 67 klagar"
    status, _, text = await _post_assessment(client, area_id, level="yellow", summary=summary, handling="publicera")
    assert status == 400
    assert "<title>Fel: Bedömning av Råslätt" in text
    assert '<a href="#sammanfattning">Sammanfattning ser ut att innehålla ett telefonnummer' in text
    assert 'id="sammanfattning-error"' in text
    assert f">{summary}</textarea>" in text
    assert await head(client) == before


async def test_a_missing_level_and_summary_are_named_beside_their_fields(client: Client, auth: Token) -> None:
    _, area_id = await _signed_in(client, auth)
    status, _, text = await _post_assessment(client, area_id, summary=" ", handling="utkast")
    assert status == 400
    assert '<a href="#niva">Välj en nivå</a>' in text
    assert '<a href="#sammanfattning">Ange sammanfattning</a>' in text


async def test_only_coordinators_draft(client: Client, auth: Token) -> None:
    _, area_id = await _signed_in(client, auth, roles=("reporter", "auditor"))
    path = f"/lagesbild/{THIS_WEEK}/omraden/{area_id}"
    page = await client.get("/lagesbild")
    assert page.status_code == 200
    assert "Skriv bedömning" not in page.text
    assert (await client.get(path)).status_code == 403
    before = await head(client)
    form = {"_csrf_token": await _csrf(client, "/lagesbild"), "version": "0", "level": "red", "summary": "Nej"}
    answer = await client.post(path, data=form | {"handling": "publicera"})
    assert answer.status_code == 403
    assert "Du saknar behörighet" in answer.text
    assert await head(client) == before


async def test_the_csv_download_is_the_apis_csv_with_safe_cells(client: Client, auth: Token) -> None:
    tenant, _ = await _signed_in(client, auth)
    await _area(client, auth, tenant, name="=HYPERLINK(1)")
    answer = await client.get(f"/lagesbild/{THIS_WEEK}/csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == f'attachment; filename="lagesbild-{THIS_WEEK}.csv"'
    assert "'=HYPERLINK(1)" in answer.text
    api = await client.get(
        f"/api/v1/lagesbild/{THIS_WEEK}", headers=auth("reporter", tenant=tenant) | {"Accept": "text/csv"}
    )
    assert answer.content == api.content


async def test_the_week_page_and_its_csv_are_recorded_in_the_read_log(client: Client, auth: Token) -> None:
    tenant, _ = await _signed_in(client, auth)
    assert (await client.get("/lagesbild")).status_code == 200
    assert (await client.get(f"/lagesbild/{THIS_WEEK}/csv")).status_code == 200
    pdf = await client.get(f"/lagesbild/{THIS_WEEK}/pdf")
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    xlsx = await client.get(f"/lagesbild/{THIS_WEEK}/xlsx")
    assert (xlsx.status_code, xlsx.content[:2]) == (200, b"PK")
    assert (await client.get(f"/lagesbild/{THIS_WEEK}/docx")).status_code == 404
    reads = await recorded_reads(client, auth, tenant, resource="lagesbild")
    routes = sorted(r["route"] for r in reads)
    assert routes == ["GET /lagesbild", *["GET /lagesbild/{week}/{fmt}"] * 4]  # the 404 is recorded too
