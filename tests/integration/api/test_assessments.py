"""Weekly assessments through HTTP: draft, publish, supersede."""

from __future__ import annotations

from tests.integration.api.conftest import Client, Token, head


async def test_draft_publish_and_supersede(client: Client, auth: Token, area: str) -> None:
    url = f"/api/v1/areas/{area}/assessments/2026-W47"
    coordinator = auth("coordinator", org="kommunen")
    first = await client.put(url, json={"level": "yellow", "summary": "Mer klotter"}, headers=coordinator)
    assert (first.status_code, first.json()["version"]) == (201, 1)
    edited = await client.put(
        url, json={"level": "red", "summary": "Bränder"}, headers=coordinator | {"If-Match": '"1"'}
    )
    assert (edited.status_code, edited.json()["version"]) == (200, 2)
    published = await client.post(f"{url}/publication", headers=coordinator)
    assert published.status_code == 200
    again = await client.post(f"{url}/publication", headers=coordinator)
    assert again.status_code == 409
    revision = await client.put(url, json={"level": "yellow", "summary": "Lugnare"}, headers=coordinator)
    assert (revision.status_code, revision.json()["version"]) == (200, 4)


async def test_bad_weeks_and_levels(client: Client, auth: Token, area: str) -> None:
    position = await head(client)
    coordinator = auth("coordinator")
    for week, body, status in [
        ("2099-W01", {"level": "red", "summary": "x"}, 422),
        ("vecka-47", {"level": "red", "summary": "x"}, 422),
        ("2026-W47", {"level": "orange", "summary": "x"}, 422),
        ("2026-W47", {"level": "red", "summary": ""}, 422),
    ]:
        response = await client.put(f"/api/v1/areas/{area}/assessments/{week}", json=body, headers=coordinator)
        assert response.status_code == status, (week, body, response.text)
    missing = await client.put(
        "/api/v1/areas/00000000-0000-0000-0000-000000000000/assessments/2026-W47",
        json={"level": "red", "summary": "x"},
        headers=coordinator,
    )
    assert missing.status_code == 404
    nothing = await client.post(f"/api/v1/areas/{area}/assessments/2026-W46/publication", headers=coordinator)
    assert nothing.status_code == 404
    assert await head(client) == position
