"""The police's published events as reports (use case): `lagesbild import police-events FILE --tenant T`.

Each event becomes a row of the spreadsheet import (service/imports/reports.py), so it is checked and
stored the same way: once, by the event's id, with the privacy guard on its summary.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.area import Area
from domain.boundary import holds
from service.catalogue import Catalogue, CatalogueArea
from service.identity import Identity
from service.imports.report_rows import COLUMNS
from service.imports.reports import ImportOutcome, import_reports
from service.imports.tables import Table
from service.store.event_store import EventStore

DEFAULT_TYPES = {
    "Inbrott": "inbrott",
    "Skadegörelse": "skadegorelse",
    "Brand": "brand",
    "Rån": "ran",
    "Misshandel": "brak-vald",
    "Misshandel, grov": "brak-vald",
    "Bråk": "brak-vald",
    "Våld/hot mot tjänsteman": "brak-vald",
    "Narkotikabrott": "misstankt-narkotikaforsaljning",
    "Ordningslagen": "ordningsstorning",
    "Fylleri/LOB": "ordningsstorning",
    "Olaga hot": "ordningsstorning",
}
"""The police's event types (before a comma: `Rån, försök` is `Rån`) and the EST category each is counted as."""
_WHEN = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{1,2}):(\d{2}):(\d{2}) ([+-]\d{2}):?(\d{2})$")
CHUNK = 2000
"""Events checked and stored at a time: the progress is reported between them."""


@dataclass(slots=True)
class Summary:
    """What an import of events did: counts, and each event left out with why."""

    created: int = 0
    already_there: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(the event's id, why): an unmapped type or place, personal data in the summary, a bad value."""


def load_mapping(path: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """The event types' categories (the defaults, overridden by the file's `types`) and the file's `areas`."""
    given: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path else {}
    return DEFAULT_TYPES | dict(given.get("types", {})), dict(given.get("areas", {}))


Boundaries = list[tuple[str, dict[str, Any]]]
"""The active areas' codes and boundaries (by name), for the events whose place is not mapped."""


async def boundaries(store: EventStore, areas: list[CatalogueArea]) -> Boundaries:
    """Each active area's boundary, from its own events (the catalogue does not keep boundaries)."""
    loaded: list[Area] = [await store.load(a.id) for a in areas if not a.retired]
    return [(a.code, a.boundary) for a in loaded if a.boundary is not None]


def area_at(gps: Any, shapes: Boundaries) -> str | None:
    """The code of the first area whose boundary holds the feed's `"lat,lon"`, if any."""
    try:
        lat, lon = (float(part) for part in str(gps).split(","))
    except ValueError:
        return None
    return next((code for code, boundary in shapes if holds(boundary, lat, lon)), None)


def event_row(
    event: dict[str, Any], types: dict[str, str], areas: dict[str, str], shapes: Boundaries | None = None
) -> dict[str, str] | str:
    """The event as a row of the report import, or why it is left out.

    Its place's area comes from the mapping file, or else from the boundary (of `shapes`) its point lies in.
    """
    kind = str(event.get("type", ""))
    category = types.get(kind) or types.get(kind.split(",", 1)[0].strip())
    if category is None:
        return f"the type {kind!r} is not mapped to a category"
    place = str((event.get("location") or {}).get("name", ""))
    area = areas.get(place) or area_at((event.get("location") or {}).get("gps"), shapes or [])
    if area is None:
        return f"the place {place!r} is not mapped to an area, nor is its point inside an area's boundary"
    when = _WHEN.match(str(event.get("datetime", "")).strip())
    if when is None:
        return f"the time {event.get('datetime')!r} is not one the feed writes"
    day, hour, minute, second, offset_hours, offset_minutes = when.groups()
    return {
        "area": area,
        "category": category,
        "occurred_at": f"{day}T{int(hour):02d}:{minute}:{second}{offset_hours}:{offset_minutes}",
        "place": place,
        "description": str(event.get("summary") or "").strip(),
        "source": "incident_report",
        "external_id": f"polisen-{event.get('id')}",
    }


async def import_events(
    store: EventStore,
    catalogue: Catalogue,
    identity: Identity,
    events: list[dict[str, Any]],
    mapping: tuple[dict[str, str], dict[str, str]],
    now: Callable[[], datetime],
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Summary:
    """Append a report of source incident_report for each event that maps; each event once, however often."""
    summary, (types, areas) = Summary(), mapping
    known_areas = await catalogue.areas(identity.tenant)
    categories = await catalogue.categories(identity.tenant)
    shapes = await boundaries(store, known_areas)
    for start in range(0, len(events), CHUNK):
        chunk, rows, ids = events[start : start + CHUNK], list[tuple[int, dict[str, str]]](), dict[int, str]()
        for n, event in enumerate(chunk, start=start + 1):
            row = event_row(event, types, areas, shapes)
            if isinstance(row, str):
                summary.refused.append((str(event.get("id")), row))
            else:
                rows.append((n, row))
                ids[n] = str(event.get("id"))
        if rows:
            table = Table(COLUMNS, rows)
            outcome = await import_reports(
                store, identity, table, areas=known_areas, categories=categories, now=now(), dry_run=False
            )
            _count(summary, outcome, ids)
        progress(min(start + CHUNK, len(events)), len(events))
    return summary


def _count(summary: Summary, outcome: ImportOutcome, ids: dict[int, str]) -> None:
    summary.created += outcome.count("created")
    summary.already_there += outcome.count("already_there")
    summary.refused += [(ids[p.row], f"{p.column}: {p.message}") for p in outcome.problems]


def importer_identity(tenant: str, org: str) -> Identity:
    """Who the command acts as: the partnership's police organisation, as the import itself."""
    return Identity(sub="import:police-events", tenant=tenant, org=org, roles=frozenset({"reporter"}))


def print_progress(done: int, total: int) -> None:
    """`1200/5000 events` on standard error, over itself."""
    print(f"\r{done}/{total} events", end="" if done < total else "\n", file=sys.stderr, flush=True)
