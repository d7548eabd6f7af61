"""The personal-data detector: what it must refuse and the near-misses it must let through."""

from __future__ import annotations

import pytest

from domain.errors import PersonalDataFound
from domain.privacy import (
    EMAIL_ADDRESS,
    PERSONAL_IDENTITY_NUMBER,
    PHONE_NUMBER,
    check_free_text,
    find_personal_data,
)


def _with_checksum(nine: str) -> str:
    """Complete YYMMDDNNN with its Luhn check digit (synthetic numbers, made for the test)."""
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return nine + str((10 - total % 10) % 10)


VALID = _with_checksum("900101123")  # 10 digits, a valid date and checksum
COORDINATION = _with_checksum("900161123")  # day + 60
INVALID_CHECKSUM = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)


@pytest.mark.parametrize(
    "text",
    [
        f"Uppgift om {VALID[:6]}-{VALID[6:]} vid porten",
        f"{VALID}",
        f"19{VALID}",
        f"19{VALID[:6]}-{VALID[6:]}",
        f"{VALID[:6]}+{VALID[6:]}",
        f"samordningsnummer {COORDINATION[:6]}-{COORDINATION[6:]}",
        f"nr {VALID[:6]} {VALID[6:]}",
    ],
)
def test_identity_numbers_are_found(text: str) -> None:
    assert list(find_personal_data(text)) == [PERSONAL_IDENTITY_NUMBER]


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070-123 45 67",
        "tel 0701234567",
        "+46 70 123 45 67",
        "0046701234567",
        "växeln 036-10 50 00",
        "08-123 456 78",
    ],
)
def test_phone_numbers_are_found(text: str) -> None:
    assert list(find_personal_data(text)) == [PHONE_NUMBER]


@pytest.mark.parametrize("text", ["skriv till info@example.se", "a.b+c@kommun.example.org"])
def test_email_addresses_are_found(text: str) -> None:
    assert list(find_personal_data(text)) == [EMAIL_ADDRESS]


@pytest.mark.parametrize(
    "text",
    [
        "Klotter på gavel, upptäckt 2026-11-20 kl 21:30",
        "20261120 och 2026-11-20",
        "vecka 2026-W47",
        "Anmälan 5000-K123456-24 gäller skadegörelse",
        "Dnr KS 2026/1234, ärende 2026-0123",
        "Skadan uppskattas till 12 500 kr",
        "kostnad 1 234 567 kronor",
        "25000 kr i saneringskostnad",
        f"felaktig kontrollsiffra {INVALID_CHECKSUM[:6]}-{INVALID_CHECKSUM[6:]}",
        "Org.nr 556677-8899",
        "553 20 Jönköping",
        "kl. 08.30-10.00 samlades 12 personer",
        "den 01-02-2026",
        "0 st trasiga lampor, 3 st klotter",
        "Tre mopeder, 2 A-traktorer",
        "Råslätt centrum, @vattentornet",
    ],
)
def test_near_misses_pass(text: str) -> None:
    assert list(find_personal_data(text)) == []


def test_check_free_text_names_the_field_and_the_kind() -> None:
    with pytest.raises(PersonalDataFound) as caught:
        check_free_text("description", "mejla info@example.se")
    assert caught.value.field == "description"
    assert caught.value.kind == EMAIL_ADDRESS


def test_check_free_text_accepts_none_and_clean_text() -> None:
    check_free_text("place", None)
    check_free_text("place", "Gångtunneln vid Råslätts centrum")
