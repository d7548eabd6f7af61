"""Synthetic Swedish personal identity numbers and phone numbers for the privacy tests (made up, never real)."""

from __future__ import annotations


def with_checksum(nine: str) -> str:
    """Complete YYMMDDNNN with its Luhn check digit."""
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return nine + str((10 - total % 10) % 10)
