"""Område's patterns (web app): the API's weekday × hour and months as heat grids, each a table with its numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

WEEKDAYS = ("Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag")
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
HEAT_LEVELS = 4
"""Shades of a cell with occurrences (a cell without any has none); the number is always written in it."""


def heat(n: int, most: int) -> int:
    """The shade of a cell: 0 for none, else 1 to HEAT_LEVELS in proportion to the grid's largest cell."""
    if n <= 0 or most <= 0:
        return 0
    return max(1, -(-n * HEAT_LEVELS // most))


def patterns_view(found: dict[str, Any]) -> dict[str, Any]:
    """What the template macro (macros/patterns.html) needs from the API's answer (service/api/patterns.py)."""
    grid: list[list[int]] = found["weekday_hour"]
    most = max(max(row) for row in grid)
    days = [
        {"day": WEEKDAYS[i], "cells": [{"n": n, "heat": heat(n, most)} for n in row], "total": sum(row)}
        for i, row in enumerate(grid)
    ]
    most_in_a_month = max(m["occurrences"] for m in found["months"])
    months = []
    for m in found["months"]:
        year, month = int(m["month"][:4]), int(m["month"][5:])
        label = f"{MONTHS[month - 1]} {year}"
        months.append({"label": label, "n": m["occurrences"], "heat": heat(m["occurrences"], most_in_a_month)})
    return {
        "since": _swedish(found["from"]),
        "until": _swedish(found["to"]),
        "days": days,
        "total": sum(d["total"] for d in days),
        "whole_weeks": found["whole_weeks"],
        "months": months,
        "heat_levels": HEAT_LEVELS,
    }


def _swedish(day: str) -> str:
    parsed = date.fromisoformat(day)
    return f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"
