"""Checks shared by every free-text field: required text, length, no control or format characters, no personal data."""

from __future__ import annotations

import re

from domain.errors import Invalid
from domain.normal_form import format_characters
from domain.privacy import check_free_text, check_free_texts_together

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
    if format_characters(stripped):
        raise Invalid(field, "must not hold invisible format characters (such as zero-width spaces or soft hyphens)")
    check_free_text(field, stripped)
    return stripped


def texts_together(*texts: tuple[str, str | None]) -> None:
    """Refuse the free-text fields of one command, each checked alone already, if together they hold personal data."""
    check_free_texts_together(texts)
