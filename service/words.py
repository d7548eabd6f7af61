"""The Swedish words for the codes the read models hold, as people read them in the pages, the exports and the GeoJSON.

The code is the contract (the API's JSON, the stream); a word always goes beside a colour, never instead of it.
"""

from __future__ import annotations

from service.web.context import Context

LEVELS = {"green": "Grön", "yellow": "Gul", "red": "Röd"}
"""A level in words (the colour only repeats it); no published assessment reads NO_LEVEL."""
NO_LEVEL = "Ingen bedömning"
TRENDS = {"up": "Ökar", "down": "Minskar", "flat": "Oförändrad"}
"""A trend in words: this week's occurrences against the four weeks before."""
STATUSES = {"planned": "Planerad", "started": "Pågår", "completed": "Avslutad", "cancelled": "Inställd"}
"""An action's status in words."""
EFFECT_WORDS = {
    "improved": "Förbättring",
    "unchanged": "Ingen förändring",
    "worsened": "Försämring",
    "unknown": "Vet ej",
}
"""A follow-up's effect in words."""


def level_name(level: str | None) -> str:
    """A level's word, NO_LEVEL for none."""
    return LEVELS.get(level or "", NO_LEVEL)


async def category_names(context: Context) -> dict[str, str]:
    """Category code -> its Swedish name (the default list and the partnership's own)."""
    return {c.code: c.name_sv for c in await context.catalogue.categories(context.identity.tenant)}
