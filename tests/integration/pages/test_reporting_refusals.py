"""Rapportera's refusals through HTTP: beside their fields, in words, with what was typed kept and nothing stored."""

from __future__ import annotations

import uuid

from tests.integration.api.conftest import Client, Token, head
from tests.integration.pages.conftest import _area, _form, _sign_in

# A made-up personal identity number with a valid check digit (Skatteverket's test number): it must be refused.
IDENTITY_NUMBER = "19121212-1212"


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
