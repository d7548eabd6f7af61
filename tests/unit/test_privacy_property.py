"""Property: a valid identity number, phone number or e-mail address, disguised any way, is still found."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.privacy import EMAIL_ADDRESS, PERSONAL_IDENTITY_NUMBER, PHONE_NUMBER, find_personal_data
from tests.support.identity_numbers import with_checksum

# Every decimal digit script Unicode knows (all below U+20000): the zero of each block of ten.
ZEROS = [chr(c) for c in range(0x20000) if unicodedata.category(chr(c)) == "Nd" and unicodedata.decimal(chr(c)) == 0]
SEPARATORS = [" ", "  ", ".", "/", "-", "\u2013", "\u2014", "\u2212", "\u00a0", "\u202f", "\u3000", " - ", ") ", " ("]
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u200e"]


@st.composite
def identity_numbers(draw: st.DrawFn) -> str:
    year, month = draw(st.integers(0, 99)), draw(st.integers(1, 12))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 60]))  # a co-ordination number adds 60
    digits = with_checksum(f"{year:02}{month:02}{day:02}{draw(st.integers(0, 999)):03}")
    if draw(st.booleans()):
        digits = draw(st.sampled_from(["19", "20"])) + digits
    return digits


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    national = draw(st.sampled_from(["70", "72", "73", "76", "79"])) + draw(
        st.text("0123456789", min_size=7, max_size=7)
    )
    if draw(st.booleans()):  # a landline: an area code, then a subscriber number (not starting with 0)
        area = draw(st.sampled_from(["8", "36", "31", "40", "390"]))
        national = area + "1" + draw(st.text("0123456789", min_size=7 - len(area), max_size=8 - len(area)))
    return draw(st.sampled_from(["0", "+46 ", "0046", "+46 (0)"])) + national


@st.composite
def disguised(draw: st.DrawFn, digits: str) -> str:
    """`digits` cut into groups, joined by one kind of separator, in one digit script, with invisibles strewn in."""
    zero = draw(st.sampled_from(["0", *ZEROS, "０"]))
    script = str.maketrans("0123456789", "".join(chr(ord(zero) + n) for n in range(10)))
    separator = draw(st.sampled_from(SEPARATORS))
    cuts = draw(st.lists(st.booleans(), min_size=len(digits), max_size=len(digits)))
    hidden = draw(st.lists(st.sampled_from(["", "", "", *INVISIBLES]), min_size=len(digits), max_size=len(digits)))
    text = ""
    for ch, cut, invisible in zip(digits, cuts, hidden, strict=True):
        text += (ch.translate(script) if ch.isdigit() else ch) + invisible
        if cut and ch.isdigit():
            text += separator
    before = draw(st.sampled_from(["", "Uppgift: ", "se ", "nr "]))
    return f"{before}{text.rstrip(separator)} vid porten"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_disguised_identity_number_is_found(data: st.DataObject) -> None:
    text = data.draw(disguised(data.draw(identity_numbers())))
    assert PERSONAL_IDENTITY_NUMBER in list(find_personal_data(text)), repr(text)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_disguised_phone_number_is_found(data: st.DataObject) -> None:
    text = data.draw(disguised(data.draw(phone_numbers())))
    assert PHONE_NUMBER in list(find_personal_data(text)), repr(text)


@settings(max_examples=100, deadline=None)
@given(
    local=st.from_regex(r"[a-z][a-z0-9.]{0,8}[a-z]", fullmatch=True),
    domain=st.sampled_from(["example.se", "exempel.рф", "kommun.example.org", "bücher.example"]),
    at=st.sampled_from(["@", "\uff20", "\ufe6b", " @ ", "\u200b@"]),
    dot=st.sampled_from([".", "\uff0e"]),
)
def test_a_disguised_email_address_is_found(local: str, domain: str, at: str, dot: str) -> None:
    text = f"skriv till {local}{at}{domain.replace('.', dot)} snarast"
    assert EMAIL_ADDRESS in list(find_personal_data(text)), repr(text)


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    """A date, a time or a range of times, an amount, a case or file number, an ISO week: never personal data."""
    year, month, day = draw(st.integers(2000, 2030)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hour, minute = draw(st.integers(0, 23)), draw(st.sampled_from([0, 5, 15, 30, 45, 59]))
    end_hour = draw(st.integers(hour, 23))
    return draw(
        st.sampled_from(
            [
                f"{year}-{month:02}-{day:02}",
                f"{day:02}.{month:02}.{year}",
                f"{day}/{month} {year}",
                f"{day:02}-{month:02}-{year}",
                f"{hour:02}.{minute:02}",
                f"kl {hour:02}:{minute:02}",
                f"{hour:02}.{minute:02}\u2013{end_hour:02}.{minute:02}",
                f"{draw(st.integers(1, 999))} {draw(st.integers(0, 999)):03} kr",
                f"5000-K{draw(st.integers(100000, 999999))}-{year % 100:02}",
                f"Dnr KS {year}/{draw(st.integers(1, 9999))}",
                f"{year}-W{draw(st.integers(1, 52)):02}",
                f"{draw(st.integers(0, 40))} st",
            ]
        )
    )


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(near_misses(), min_size=1, max_size=4), joint=st.sampled_from([" ", ", ", " och ", " kl ", "\n"]))
def test_dates_times_amounts_case_numbers_and_weeks_together_pass(parts: list[str], joint: str) -> None:
    text = f"Upptäckt {joint.join(parts)}"
    assert list(find_personal_data(text)) == [], repr(text)
