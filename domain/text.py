"""Checks shared by every free-text field: required text, length, no control characters, no personal data."""

from __future__ import annotations

import re

from domain.errors import Invalid
from domain.privacy import check_free_text

# Control characters but tab, line feed and carriage return: never meant, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def required_text(field: str, text: str, max_length: int) -> str:
    """Return `text` stripped; refuse it empty, too long, or holding personal data."""
    stripped = text.strip()
    if not stripped:
        raise Invalid(field, "must not be empty")
    return optional_text(field, stripped, max_length) or stripped


def optional_text(field: str, text: str | None, max_length: int) -> str | None:
    """Like `required_text`, but None or blank gives None."""
    if text is None or not text.strip():
        return None
    stripped = text.strip()
    if len(stripped) > max_length:
        raise Invalid(field, f"must be at most {max_length} characters, got {len(stripped)}")
    if _CONTROL.search(stripped):
        raise Invalid(field, "must not hold control characters (line breaks and tabs are fine)")
    check_free_text(field, stripped)
    return stripped
