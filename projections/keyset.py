"""Keyset pagination for the read models' lists: a page of rows and the cursor of the next."""

from __future__ import annotations

from typing import Any

MAX_LIMIT = 500
"""The most rows a list gives in one page."""


def page_of(rows: list[Any], limit: int, key: str) -> tuple[list[Any], str | None]:
    """The first `limit` of rows fetched `limit + 1` at a time, and the next page's cursor (None on the last page)."""
    if len(rows) > limit:
        return rows[:limit], str(rows[limit - 1][key])
    return rows, None
