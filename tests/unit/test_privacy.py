"""The personal-data detector: what it must refuse, however disguised, and the near-misses it must let through."""

from __future__ import annotations

import pytest

from domain.errors import Invalid, PersonalDataFound
from domain.privacy import (
    EMAIL_ADDRESS,
    PERSONAL_IDENTITY_NUMBER,
    PHONE_NUMBER,
    check_free_text,
    check_free_texts_together,
    find_personal_data,
)
from domain.text import optional_text
from tests.support.identity_numbers import with_checksum

PNR, PHONE, EMAIL = PERSONAL_IDENTITY_NUMBER, PHONE_NUMBER, EMAIL_ADDRESS
VALID = with_checksum("900101123")  # 10 digits, a valid date and checksum (synthetic, made for the test)
COORDINATION = with_checksum("900161123")  # day + 60
INVALID_CHECKSUM = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
ISSUE = "811218-9876"  # the issue's example (a valid checksum)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
ZWSP, SHY, WJ, NBSP = "\u200b", "\u00ad", "\u2060", "\u00a0"

FOUND = [
    # personal identity numbers
    (f"Uppgift om {VALID[:6]}-{VALID[6:]} vid porten", PNR),
    (VALID, PNR),
    (f"19{VALID}", PNR),
    (f"19{VALID[:6]}-{VALID[6:]}", PNR),
    (f"{VALID[:6]}+{VALID[6:]}", PNR),
    (f"samordningsnummer {COORDINATION[:6]}-{COORDINATION[6:]}", PNR),
    (f"nr {VALID[:6]} {VALID[6:]}", PNR),
    (ISSUE, PNR),
    ("811218\u20139876", PNR),  # en dash
    ("811218\u20149876", PNR),  # em dash
    ("811218\u22129876", PNR),  # minus sign
    (f"811218{ZWSP}-9876", PNR),
    (f"811218{SHY}9876", PNR),
    ("8 1 1 2 1 8 - 9 8 7 6", PNR),
    ("8112 18 98 76", PNR),
    (ISSUE.translate(FULL_WIDTH), PNR),
    (ISSUE.translate(ARABIC_INDIC), PNR),
    ("811218.9876", PNR),
    ("811218/9876", PNR),
    ("(811218) 9876", PNR),
    (f"nr{NBSP}811218{NBSP}9876", PNR),
    ("19811218 - 9876", PNR),
    ("1981-12-18-9876", PNR),  # written as a date, but the date is one link of a longer chain
    ("född 1981-12-18 9876", PNR),  # a whole date, then the last four: they make the number
    ("19811218 9876", PNR),
    # phone numbers
    ("Ring 070-123 45 67", PHONE),
    ("tel 0701234567", PHONE),
    ("tel0701234567", PHONE),  # glued to the word that says what it is
    ("Mobil070-123 45 67", PHONE),
    ("ärende K123 070-123 45 67", PHONE),  # after a case number, a word apart
    ("+46 70 123 45 67", PHONE),
    ("0046701234567", PHONE),
    ("växeln 036-10 50 00", PHONE),
    ("08-123 456 78", PHONE),
    (f"Ring 070{ZWSP}1234567", PHONE),
    ("070.123.45.67", PHONE),
    ("(070) 123 45 67", PHONE),
    ("070/1234567", PHONE),
    ("070  1234567", PHONE),
    ("070\u20131234567", PHONE),
    ("0701234567".translate(FULL_WIDTH), PHONE),
    ("0701234567".translate(ARABIC_INDIC), PHONE),
    ("0701234567".translate(DEVANAGARI), PHONE),
    ("+46 (0)70 123 45 67", PHONE),
    (f"0{WJ}7{WJ}0{WJ}1{WJ}2{WJ}3{WJ}4{WJ}5{WJ}6{WJ}7", PHONE),
    ("07.12.05.67.89", PHONE),  # dotted like a date, but one link of a longer chain
    ("den 01-02-2026 ring 070 123 45 67", PHONE),
    ("0 7 0 1 2 3 4 5 6 7", PHONE),
    ("＋４６ ７０ １２３ ４５ ６７", PHONE),
    # e-mail addresses
    ("skriv till info@example.se", EMAIL),
    ("a.b+c@kommun.example.org", EMAIL),
    ("anna\uff20example.se", EMAIL),  # full-width @
    ("anna\ufe6bexample.se", EMAIL),  # small @
    ("anna@example\uff0ese", EMAIL),  # full-width dot
    (f"anna{ZWSP}@example.se", EMAIL),
    (f"anna@{ZWSP}example.se", EMAIL),
    ("anna @ example.se", EMAIL),
    ("anna@exempel.рф", EMAIL),
    ("anna@bücher.example", EMAIL),
    ("ANNA@EXAMPLE.SE", EMAIL),
]

PASSES = [
    "Klotter på gavel, upptäckt 2026-11-20 kl 21:30",
    "20261120 och 2026-11-20",
    "vecka 2026-W47",
    "veckorna 2026-W47 och 2026-W48",
    "Anmälan 5000-K123456-24 gäller skadegörelse",
    "Anmälan 5000-K123456-26, polisens ärende",
    "Dnr KS 2026/1234, ärende 2026-0123",
    "Skadan uppskattas till 12 500 kr",
    "kostnad 1 234 567 kronor",
    "25000 kr i saneringskostnad",
    "kostnad 12\u00a0500 kr",
    f"felaktig kontrollsiffra {INVALID_CHECKSUM[:6]}-{INVALID_CHECKSUM[6:]}",
    "Org.nr 556677-8899",
    "553 20 Jönköping",
    "kl. 08.30-10.00 samlades 12 personer",
    "kl. 08.30\u201310.00 samlades 12 personer",
    "kl 21.45 och 23.10",
    "mellan 07:30 och 09:15",
    "den 01-02-2026",
    "den 01-02-2026 12 st",
    "den 1/2 2026 kl 08.15",
    "den 01.02.2026",
    "0 st trasiga lampor, 3 st klotter",
    "Tre mopeder, 2 A-traktorer",
    "Råslätt centrum, @vattentornet",
    "Möte @ torget. Sedan hem",
    "Samling vid Huskvarna centrum kl 22",
    "Ungefär 40-50 personer vid 3-4 tillfällen",
    "½ timme, ¾ av gården",
    "Gångtunneln vid Råslätts centrum",
    "mellan 2026-11-02 och 2026-11-08",
    "upptäckt 2026-11-02 21.00",  # date and time make twelve digits with a valid date and check digit
    "upptäckt 2026-11-03 08.30, åter 2026-11-04 22.15",
    "perioden 2000-01-01 2000-01-01",  # two dates side by side make twelve digits with a valid check digit
    "upptäckt 1/1 2012 122 764 kr",
    "(1981-12-18 är ett datum)",
    "larm 2026-11-02 2130, väktare på plats",  # a date and a time of day without its colon
    "perioden 2000-01-01 2000 kr",
    "polisens ärende K012345-26",  # a case number glued to its letter is no phone number
    "Upptäckt 2000-01-01 2000-01-08 5000-K100000-00",  # a date, then a police case number
    "Upptäckt 2000-01-01 5000-K100000-01 100 000 kr",  # the case number's year, then an amount
]


@pytest.mark.parametrize(("text", "kind"), FOUND)
def test_personal_data_is_found_however_it_is_written(text: str, kind: str) -> None:
    assert list(find_personal_data(text)) == [kind]


@pytest.mark.parametrize("text", PASSES)
def test_near_misses_pass(text: str) -> None:
    assert list(find_personal_data(text)) == []


def test_the_table_is_large_both_ways() -> None:
    assert len(FOUND) + len(PASSES) >= 60
    assert len(PASSES) >= 25


def test_check_free_text_names_the_field_and_the_kind() -> None:
    with pytest.raises(PersonalDataFound) as caught:
        check_free_text("description", "mejla info@example.se")
    assert caught.value.field == "description"
    assert caught.value.kind == EMAIL_ADDRESS


def test_check_free_text_accepts_none_and_clean_text() -> None:
    check_free_text("place", None)
    check_free_text("place", "Gångtunneln vid Råslätts centrum")


@pytest.mark.parametrize(
    ("place", "description"),
    [("811218-", "9876"), ("9876", "811218-"), ("vid porten 070", "123 45 67"), ("anna", "@example.se")],
)
def test_a_number_split_across_fields_is_found_together(place: str, description: str) -> None:
    check_free_text("place", place)
    check_free_text("description", description)
    with pytest.raises(PersonalDataFound) as caught:
        check_free_texts_together([("place", place), ("description", description)])
    assert (caught.value.field, caught.value.together_with) == ("place", ("description",))


def test_a_number_split_across_three_fields_in_any_order_is_found() -> None:
    texts = [("title", "Samtal"), ("description", "-9876"), ("responsible_org", "kommunen 811218")]
    with pytest.raises(PersonalDataFound) as caught:
        check_free_texts_together(texts)
    assert (caught.value.field, caught.value.together_with) == ("title", ("description", "responsible_org"))


def test_fields_that_are_clean_together_pass() -> None:
    check_free_texts_together([("place", "Råslätt centrum"), ("description", "12 st"), ("reason", None)])


@pytest.mark.parametrize("invisible", [ZWSP, SHY, WJ, "\ufeff", "\u200e", "\u2066"])
def test_free_text_refuses_format_characters(invisible: str) -> None:
    with pytest.raises(Invalid) as caught:
        optional_text("place", f"Råslätt{invisible} centrum", 100)
    assert caught.value.field == "place"
    assert "format characters" in caught.value.problem
