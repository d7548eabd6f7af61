"""Personal data in free text (identity numbers, phone numbers, e-mail): found, refused, never stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

from domain.errors import PersonalDataFound

PERSONAL_IDENTITY_NUMBER = "a personal identity number (personnummer or samordningsnummer)"
PHONE_NUMBER = "a phone number"
EMAIL_ADDRESS = "an e-mail address"

# 10 or 12 digits: (century) year month day, an optional - or + separator, four digits.
_PNR = re.compile(r"(?<![\d-])(\d{2})?(\d{2})(\d{2})(\d{2})\s?[-+]?\s?(\d{4})(?![\d-])")
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
# A Swedish number: +46/0046 or a trunk 0, then digits in groups of 1-4 split by space or -.
_PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[\s-]?\(?0?\)?\d(?:[\s-]?\d){6,9}(?![\w])")
_DATE_LIKE = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _is_identity_number(match: re.Match[str]) -> bool:
    _, year, month, day, serial = match.groups()
    m, d = int(month), int(day)
    if not 1 <= m <= 12:
        return False
    if not (1 <= d <= 31 or 61 <= d <= 91):  # co-ordination numbers add 60 to the day
        return False
    return _luhn_ok(year + month + day + serial)


def _phone_digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_personal_data(text: str) -> Iterator[str]:
    """Yield the kinds of personal data found in `text` (each kind at most once)."""
    found: list[str] = []
    if any(_is_identity_number(m) for m in _PNR.finditer(text)):
        found.append(PERSONAL_IDENTITY_NUMBER)
    if _EMAIL.search(text):
        found.append(EMAIL_ADDRESS)
    for m in _PHONE.finditer(text):
        candidate = m.group(0)
        digits = _phone_digits(candidate)
        national = digits[2:] if digits.startswith("46") else digits[4:] if digits.startswith("0046") else digits
        if _DATE_LIKE.match(candidate.strip()):
            continue
        if 7 <= len(national.lstrip("0")) <= 9:
            found.append(PHONE_NUMBER)
            break
    yield from found


def check_free_text(field: str, text: str | None) -> None:
    """Refuse `text` (raise PersonalDataFound naming `field`) if it holds personal data."""
    if text is None:
        return
    for kind in find_personal_data(text):
        raise PersonalDataFound(field, kind)
