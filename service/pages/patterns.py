"""Område's patterns (web app): the API's weekday × hour and months as heat grids, each a table with its numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

WEEKDAYS = ("Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag")
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
HOURS_HEAD = Markup(
    "".join(f'<th scope="col"><abbr title="klockan {h:02d}.00–{h:02d}.59">{h:02d}</abbr></th>' for h in range(24))
)
"""The grid's hour columns' headings (the same on every page: made once)."""
HEAT_LEVELS = 4
"""Shades of a cell with occurrences (a cell without any has none); the number is always written in it."""


def heat(n: int, most: int) -> int:
    """The shade of a cell: 0 for none, else 1 to HEAT_LEVELS in proportion to the grid's largest cell."""
    if n <= 0 or most <= 0:
        return 0
    return max(1, -(-n * HEAT_LEVELS // most))


def patterns_view(found: dict[str, Any], category: str | None = None) -> dict[str, Any]:
    """What the template macro (macros/patterns.html) needs from the API's answer (service/api/patterns.py).

    `category`: the name of the one category the patterns are of (None: all of them).
    """
    grid: list[list[int]] = found["weekday_hour"]
    most = max(max(row) for row in grid)
    # The grid's 168 cells written here, not by the template: numbers and fixed words, nothing to escape
    # (escaping each number cost the page more than writing it).
    rows = Markup("\n").join(
        Markup(
            f'<tr><th scope="row">{WEEKDAYS[i]}</th>'
            + "".join(f'<td class="heat heat--{heat(n, most)}">{int(n)}</td>' for n in row)
            + f'<td class="numeric">{sum(row)}</td></tr>'
        )
        for i, row in enumerate(grid)
    )
    most_in_a_month = max(m["occurrences"] for m in found["months"])
    months = []
    for m in found["months"]:
        year, month = int(m["month"][:4]), int(m["month"][5:])
        label = f"{MONTHS[month - 1]} {year}"
        months.append({"label": label, "n": m["occurrences"], "heat": heat(m["occurrences"], most_in_a_month)})
    return {
        "category": category,
        "since": _swedish(found["from"]),
        "until": _swedish(found["to"]),
        "grid_rows": rows,
        "total": sum(sum(row) for row in grid),
        "whole_weeks": found["whole_weeks"],
        "months": months,
        "heat_levels": HEAT_LEVELS,
        "hours_head": HOURS_HEAD,
    }


def _swedish(day: str) -> str:
    parsed = date.fromisoformat(day)
    return f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"
