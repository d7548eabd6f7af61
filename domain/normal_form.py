"""The form free text is checked in (domain, pure): NFKC, every digit script as ASCII, invisibles gone."""

from __future__ import annotations

import re
import unicodedata

_DASHES = {"\u2212": "-", "\u2e3a": "-", "\u2e3b": "-"}  # minus sign, two- and three-em dashes
_STOPS = {"\u3002": ".", "\u2024": "."}  # ideographic full stop, one dot leader
_REMEMBERED = 8192  # characters whose folding is kept
# ASCII and the Latin-1 letters (å, ä, ö, é ...): text of these alone is its own normal form.
_UNCHANGED = re.compile(r"[\x00-\x7f\xc0-\xd6\xd8-\xf6\xf8-\xff]*")


class _Folding(dict[int, str]):
    """What each character becomes, worked out the first time it is met (str.translate asks per character)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        category = unicodedata.category(ch)
        if category == "Cf":  # zero-width spaces and joiners, soft hyphens, direction marks: invisible
            folded = ""
        elif (digit := unicodedata.digit(ch, None)) is not None:
            folded = str(digit)
        elif category == "Pd" or ch in _DASHES:
            folded = "-"
        elif category == "Zs":
            folded = " "
        else:
            folded = _STOPS.get(ch, ch)
        if len(self) < _REMEMBERED:  # bounded: a hostile text of every character must not grow it for ever
            self[code] = folded
        return folded


_FOLDING = _Folding()


def normal_form(text: str) -> str:
    """`text` as the privacy guard reads it.

    Compatibility forms (NFKC) folded, digits of every script as ASCII digits, every dash as `-`,
    every space as ` `, format characters (category Cf) removed.
    """
    if _UNCHANGED.fullmatch(text):
        return text
    return unicodedata.normalize("NFKC", text).translate(_FOLDING)


def format_characters(text: str) -> bool:
    """Whether `text` holds a Unicode format character (category Cf: zero-width space, soft hyphen...)."""
    return not text.isascii() and any(unicodedata.category(ch) == "Cf" for ch in text if not ch.isascii())
