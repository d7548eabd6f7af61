"""The tenants of the synthetic log (bench/events.py): partnerships, their priority areas, their organisations."""

from __future__ import annotations

from uuid import UUID

from domain.area import area_id

# tenant -> its priority areas (more follow as "Område N" up to the count)
TENANTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "jonkoping": (24, ("Råslätt", "Österängen", "Öxnehaga", "Huskvarna Söder", "Centrum")),
    "norrkoping": (20, ("Navestad", "Hageby", "Ljura", "Klockaretorpet", "Marielund")),
    "orebro": (18, ("Vivalla", "Baronbackarna", "Oxhagen", "Varberga", "Brickebacken")),
    "vasteras": (14, ("Bäckby", "Skallberget", "Pettersberg", "Råby")),
    "eskilstuna": (12, ("Lagersberg", "Fröslunda", "Skiftinge")),
    "sodertalje": (10, ("Ronna", "Hovsjö", "Geneta", "Fornhöjden")),
    "borlange": (8, ("Jakobsgårdarna", "Tjärna ängar")),
    "trollhattan": (6, ("Kronogården", "Lextorp")),
}
ORGS = ("polisen", "kommunen", "bostadsbolaget")


def area_code(tenant: str, n: int) -> str:
    """The code of a tenant's `n`th area (from 0)."""
    return f"{tenant[:3]}-omrade-{n + 1}"


def tenant_areas(tenant: str) -> list[UUID]:
    """The ids of a tenant's areas in the log."""
    return [area_id(tenant, area_code(tenant, n)) for n in range(TENANTS[tenant][0])]
