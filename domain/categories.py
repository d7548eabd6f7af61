"""The EST category taxonomy: the default list every tenant starts with (stable codes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryInfo:
    """A category: a stable code, Swedish and English names, and an optional parent code."""

    code: str
    name_sv: str
    name_en: str
    parent: str | None = None


DEFAULT_CATEGORIES: tuple[CategoryInfo, ...] = (
    CategoryInfo("skadegorelse", "Skadegörelse", "Vandalism"),
    CategoryInfo("klotter", "Klotter", "Graffiti", "skadegorelse"),
    CategoryInfo("krossat-glas", "Krossat glas", "Broken glass", "skadegorelse"),
    CategoryInfo("brand", "Brand", "Fire", "skadegorelse"),
    CategoryInfo("otrygg-samling", "Otrygghetsskapande samling", "Gatherings that make people feel unsafe"),
    CategoryInfo("ordningsstorning", "Annat ordningsstörande", "Other disorder"),
    CategoryInfo("brak-vald", "Bråk och våld", "Fights and violence", "ordningsstorning"),
    CategoryInfo("inbrott", "Inbrott", "Burglary", "ordningsstorning"),
    CategoryInfo("ran", "Rån", "Robbery", "ordningsstorning"),
    CategoryInfo(
        "misstankt-narkotikaforsaljning",
        "Misstänkt narkotikaförsäljning",
        "Suspected drug dealing",
        "ordningsstorning",
    ),
    CategoryInfo("olovligt-boende", "Olovligt boende", "Unauthorised living", "ordningsstorning"),
    CategoryInfo("buskorning", "Buskörning", "Reckless driving (mopeds, A-tractors)", "ordningsstorning"),
    CategoryInfo("otrygg-plats", "Otrygg plats", "Unsafe place"),
    CategoryInfo("belysning", "Bristande belysning", "Poor lighting", "otrygg-plats"),
    CategoryInfo("nedskrapning", "Nedskräpning", "Littering", "otrygg-plats"),
    CategoryInfo("oversiktlighet", "Bristande överblick", "Lack of visibility", "otrygg-plats"),
    CategoryInfo("arrangemang", "Arrangemang", "Events"),
)
DEFAULT_CODES = frozenset(c.code for c in DEFAULT_CATEGORIES)
