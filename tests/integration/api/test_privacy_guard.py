"""The privacy guard through HTTP: the issue's disguises are refused (422 naming the field), nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Client, Token, head, report_body


@pytest.mark.parametrize(
    ("overrides", "field", "kind"),
    [
        ({"description": "Ring 070\u200b1234567"}, "description", None),  # a format character: refused as such
        ({"description": "Ring 070.123.45.67"}, "description", "a phone number"),
        ({"description": "Ring ٠٧٠١٢٣٤٥٦٧"}, "description", "a phone number"),
        ({"place": "gäller 811218\u20139876"}, "place", "a personal identity number"),
        ({"place": "gäller ８１１２１８-９８７６"}, "place", "a personal identity number"),
        ({"description": "mejla anna\uff20example.se"}, "description", "an e-mail address"),
        ({"description": "mejla anna @ example.se"}, "description", "an e-mail address"),
        ({"description": "mejla anna@exempel.рф"}, "description", "an e-mail address"),
        ({"place": "811218-", "description": "9876"}, "place", "a personal identity number"),
        ({"place": "9876", "description": "811218-"}, "place", "a personal identity number"),
    ],
)
async def test_a_disguised_identifier_in_a_report_is_refused_and_nothing_is_stored(
    client: Client, auth: Token, area: str, overrides: dict[str, Any], field: str, kind: str | None
) -> None:
    position = await head(client)
    response = await client.post("/api/v1/reports", json=report_body(area, **overrides), headers=auth("reporter"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    assert error["field"] == field
    if kind is None:
        assert "format characters" in error["message"]
    else:
        assert kind in error["kind"]
    assert await head(client) == position


async def test_a_number_split_across_the_fields_of_a_correction_is_refused_naming_them(
    client: Client, auth: Token, area: str
) -> None:
    created = await client.post("/api/v1/reports", json=report_body(area), headers=auth("reporter"))
    position = await head(client)
    response = await client.post(
        f"/api/v1/reports/{created.json()['id']}/corrections",
        json={"changes": {"place": "vid 070", "description": "123 45 67"}, "reason": "rättat"},
        headers=auth("reporter"),
    )
    assert response.status_code == 422, response.text
    fields = [e["field"] for e in response.json()["errors"]]
    assert set(fields) >= {"changes.place", "changes.description"}
    assert await head(client) == position


async def test_a_number_split_across_the_fields_of_an_action_is_refused(client: Client, auth: Token, area: str) -> None:
    position = await head(client)
    body = {"area_id": area, "title": "Samtal 811218", "description": "-9876", "responsible_org": "kommunen"}
    response = await client.post("/api/v1/actions", json=body, headers=auth("coordinator"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "title"
    assert await head(client) == position


async def test_near_misses_are_stored(client: Client, auth: Token, area: str) -> None:
    description = "Anmälan 5000-K123456-26, kl. 08.30\u201310.00 den 01-02-2026, skada 12\u00a0500 kr, vecka 2026-W47"
    response = await client.post(
        "/api/v1/reports", json=report_body(area, description=description), headers=auth("reporter")
    )
    assert response.status_code == 201, response.text
