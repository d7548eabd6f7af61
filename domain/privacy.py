"""Personal data in free text (identity numbers, phone numbers, e-mail): found, refused, never stored.

Text is read in its normal form (domain/normal_form.py), and a number may be written in groups of
digits with any run of spaces, dots, slashes, dashes or parentheses between them: each run of digit
groups is tried at every group boundary for a personal identity number and for a phone number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import pairwise, permutations

from domain.errors import PersonalDataFound
from domain.normal_form import normal_form

PERSONAL_IDENTITY_NUMBER = "a personal identity number (personnummer or samordningsnummer)"
PHONE_NUMBER = "a phone number"
EMAIL_ADDRESS = "an e-mail address"

_SEPARATORS = r"[\s./()+:-]+"  # (a colon too: the minutes of `kl 00:05` are no number of their own)
# Groups of digits joined by separators: the digits of one number, however it is disguised.
_RUN = re.compile(rf"\d+(?:{_SEPARATORS}\d+)*")
_GROUP = re.compile(r"\d+")
_NUMBERLIKE = re.compile(r"[\d./()+-]")  # what a number's run can end or start with at a seam
# Spaces around @ and any letters in the domain (internationalised ones too); the top level is letters.
# The local part starts where a word starts, so a long word is not tried again from each of its letters.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+\s*@\s*[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")
# Dates and times are cut out of a run before numbers are sought in it (`den 01-02-2026 12 st`,
# `2026-11-02 – 2026-11-08`, `kl. 08.30-10.00`): beside other digits they could make a phone number,
# or twelve digits with a valid date and check digit. Not where they are one link of a longer chain
# (`07.12.05.67`, `1981-12-18-9876`: disguised numbers).
_END = r"(?!\d)(?![./+-]\d)"  # a date ends there, and is not one link of a longer chain
_DATES = (
    re.compile(
        rf"(?<![\d./-])(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?:\d{{2}}|(?:19|20)\d{{2}}){_END}"
    ),
    re.compile(rf"(?<![\d./-])(?:19|20)\d{{2}}(?P<sep>[-/.])(?P<b>\d{{2}})(?P=sep)(?P<a>\d{{2}}){_END}"),
    re.compile(rf"(?<![\d./-])(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}}) (?:19|20)\d{{2}}{_END}"),  # 1/11 2026
)
_TIME = re.compile(r"(?<![\d.])([01]?\d|2[0-3])[.:]([0-5]\d)(?!\d)(?!\.\d)")
# But a whole date with four more digits after it is an identity number written as a date
# (`1981-12-18 9876`) when they make one, unless the four read as a time of day (`2026-11-02 2130`)
# or begin a code (`2000-01-08 5000-K100000-00`, a police case number).
_DATE_AND_FOUR = re.compile(
    rf"(?<![\d./-])((?:18|19|20)\d{{2}})[-/.](\d{{2}})[-/.](\d{{2}}){_SEPARATORS}(\d{{4}})(?!\d)(?![./+-]?\w)"
)
# A phone number starts a word (so that a case number such as K012345-26 is not one), or follows
# a word that says it is one: `tel0701234567`.
_PHONE_WORD = re.compile(r"(?<![^\W\d_])(?:tel|telefon|telnr|tfn|mobil|mob|mobilnr|nr|nummer|ring|sms)$", re.IGNORECASE)
_LONGEST = 13  # digits: 0046 and a nine-digit national number


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _is_identity_number(digits: str) -> bool:
    """Ten digits (YYMMDDNNNC) or twelve (with the century), a real month and day, the Luhn check digit."""
    if len(digits) == 12:
        if digits[:2] not in ("18", "19", "20"):
            return False
        digits = digits[2:]
    if len(digits) != 10:
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if not 1 <= month <= 12 or not (1 <= day <= 31 or 61 <= day <= 91):  # co-ordination numbers add 60
        return False
    return _luhn_ok(digits)


def _is_phone_number(digits: str, plus: bool) -> bool:
    """A Swedish number: +46, 0046 or a trunk 0, then seven to nine digits (an area code's first is not 0)."""
    if plus and digits.startswith("46"):
        national = digits[2:]
    elif digits.startswith("0046"):
        national = digits[4:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return False
    if national.startswith("0"):  # +46 (0)70 ...
        national = national[1:]
    return 7 <= len(national) <= 9 and not national.startswith("0")


def _windows(run: str, before: str) -> Iterator[tuple[str, bool, bool]]:
    """A run of digit groups taken from each group on, as digits growing group by group.

    Yields (digits, plus, word_start): whether a `+` leads the first group, and whether the group
    starts a word (a phone number does; an identity number may follow `nr`): it does not follow a
    letter, or follows a word for a phone number, and is no link of a code glued to its letter.
    `before`: the text before the run.
    """
    groups = list(_GROUP.finditer(run))
    glued = before[-1:].isalnum() or before[-1:] == "_"
    code = glued and _PHONE_WORD.search(before) is None  # `K100000-01`: a case number glued to its letter
    for i, first in enumerate(groups):
        previous = run[first.start() - 1] if first.start() else before[-1:]
        plus, word_start = previous == "+", not (previous.isalnum() or previous == "_")
        if not first.start():
            word_start = word_start or not code
        elif code and not previous.isspace():
            word_start = False  # a link of the code (`-01`), not the start of a number after it
        digits = ""
        for group in groups[i:]:
            digits += group.group(0)
            if len(digits) > _LONGEST:
                break
            yield digits, plus, word_start


def _parts(run: str, before: str, *patterns: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """The run cut where a date or time (of `patterns`) stands, each part with the character before it."""
    for pattern in patterns:
        run = pattern.sub(_cut_if_date_or_time, run)
    for part in run.split("|"):
        yield part, before
        before = "|"


def _cut_if_date_or_time(match: re.Match[str]) -> str:
    if match.re is _TIME:
        return "|"
    day_or_month = int(match.group("a")), int(match.group("b"))
    return "|" if all(1 <= n <= 31 for n in day_or_month) else match.group(0)


def _date_and_four(text: str) -> bool:
    for m in _DATE_AND_FOUR.finditer(text):
        last = m.group(4)
        if not (int(last[:2]) <= 23 and int(last[2:]) <= 59) and _is_identity_number("".join(m.groups())):
            return True
    return False


def _kinds_in_run(run: str, before: str) -> Iterator[str]:
    """The kinds of personal data in a run of digit groups; `before`: the text before it."""
    count = sum(ch.isdigit() for ch in run)
    if count >= 10 and any(
        _is_identity_number(digits)
        for part, previous in _parts(run, before, *_DATES, _TIME)
        for digits, _, _ in _windows(part, previous)
    ):
        yield PERSONAL_IDENTITY_NUMBER
    if (
        count >= 8
        and ("0" in run or before[-1:] == "+")
        and any(
            start and _is_phone_number(digits, plus)
            for part, previous in _parts(run, before, *_DATES, _TIME)
            for digits, plus, start in _windows(part, previous)
        )
    ):
        yield PHONE_NUMBER


def find_personal_data(text: str) -> Iterator[str]:
    """Yield the kinds of personal data found in `text` (each kind at most once)."""
    normal = normal_form(text)
    found: set[str] = set()
    for run in _RUN.finditer(normal):
        if run.end() - run.start() >= 8:
            found.update(_kinds_in_run(run.group(0), normal[max(0, run.start() - 16) : run.start()]))
    if _date_and_four(normal):  # (read in the text: what follows the four decides)
        found.add(PERSONAL_IDENTITY_NUMBER)
    if "@" in normal and _EMAIL.search(normal):
        found.add(EMAIL_ADDRESS)
    yield from (kind for kind in (PERSONAL_IDENTITY_NUMBER, EMAIL_ADDRESS, PHONE_NUMBER) if kind in found)


def check_free_text(field: str, text: str | None) -> None:
    """Refuse `text` (raise PersonalDataFound naming `field`) if it holds personal data."""
    if text is None:
        return
    for kind in find_personal_data(text):
        raise PersonalDataFound(field, kind)


def check_free_texts_together(texts: Iterable[tuple[str, str | None]]) -> None:
    """Refuse the free-text fields of one request if, put together, they hold personal data.

    Each field was checked alone already; this finds what straddles two of them, such as a number
    split across them (`place: "811218-"`, `description: "9876"`), in any order of the fields. Only
    an order whose neighbours could continue each other (digits or separators on both sides of a
    seam, or an `@` anywhere) is read again. PersonalDataFound names the first field and the others.
    """
    given = [(field, normal_form(text)) for field, text in texts if text]
    if len(given) < 2:
        return
    fields = [field for field, _ in given]
    for order in permutations(text for _, text in given):
        if any(_may_continue(a, b) for a, b in pairwise(order)):
            for kind in find_personal_data("\n".join(order)):
                raise PersonalDataFound(fields[0], kind, together_with=tuple(fields[1:]))


def _may_continue(first: str, second: str) -> bool:
    """Whether something found in neither alone could straddle the seam between `first` and `second`."""
    if "@" in first or "@" in second:
        return True
    end, start = first.rstrip(), second.lstrip()
    return bool(end and start) and _NUMBERLIKE.match(end[-1]) is not None and _NUMBERLIKE.match(start[0]) is not None
