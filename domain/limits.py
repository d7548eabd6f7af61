"""The domain's limits and vocabularies, defined once: the aggregates enforce them, the API's shapes import them."""

from __future__ import annotations

from typing import Literal, get_args

WEEK_PATTERN = r"^\d{4}-W\d{2}$"
"""An ISO week as text, e.g. `2026-W47` (domain/weeks.py checks that it exists)."""
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
"""Area and category codes: lower-case letters a-z, digits and dashes."""

Source = Literal["own_observation", "public_tip", "incident_report"]
"""Where a report's knowledge comes from."""
SOURCES: tuple[str, ...] = get_args(Source)

MAX_COUNT = 10_000
"""Occurrences one report may count."""

# Free text, in characters.
PLACE_MAX = 200
REPORT_DESCRIPTION_MAX = 2000
REASON_MAX = 500
TITLE_MAX = 200
ACTION_DESCRIPTION_MAX = 4000
NOTE_MAX = 2000
SUMMARY_MAX = 4000

# Names and codes, in characters.
NAME_MAX = 100
AREA_CODE_MAX = 32
CATEGORY_CODE_MAX = 48
ORG_MAX = 64

# Lists.
LINKED_REPORTS_MAX = 200
LINKED_CATEGORIES_MAX = 50
DESO_MAX = 200
REGSO_MAX = 50
BOUNDARY_POINTS_MAX = 5_000
"""Points an area's boundary may have, over all its rings."""
