"""Demo data: Jönköping's five priority areas and a few weeks of person-free reports and actions."""

from __future__ import annotations

import contextlib
import logging
import random
from datetime import datetime, timedelta
from uuid import UUID

from domain.action import Action
from domain.actor import Actor
from domain.area import Area
from domain.assessment import Assessment
from domain.location import Location, coarsen
from domain.report import Report
from domain.weeks import shift_week, week_of, week_start
from service import commands
from service.errors import NotFound
from service.store.event_store import EventStore

log = logging.getLogger(__name__)
TENANT = "jonkoping"
POLICE = Actor("demo-polis", "polisen", TENANT)
MUNICIPALITY = Actor("demo-kommun", "kommunen", TENANT)
HOUSING = Actor("demo-vatterhem", "vatterhem", TENANT)
COORDINATOR = Actor("demo-samordnare", "kommunen", TENANT)

AREAS = (
    ("raslatt", "Råslätt"),
    ("osterangen", "Österängen"),
    ("oxnehaga", "Öxnehaga"),
    ("huskvarna-soder", "Huskvarna Söder"),
    ("centrum", "Centrum"),
)
# category -> (what was seen, where): places and situations, never people
SIGHTINGS = {
    "klotter": ("Nytt klotter på fasaden", "gångtunneln vid centrum"),
    "krossat-glas": ("Krossad ruta i entrédörr", "trapphus vid torget"),
    "brand": ("Brand i soprum, släckt av räddningstjänsten", "soprummet vid parkeringen"),
    "otrygg-samling": ("Större grupp samlas sent på kvällen, boende upplever otrygghet", "källargången"),
    "misstankt-narkotikaforsaljning": ("Misstänkt försäljning, kortare besök vid bilar", "parkeringen vid skolan"),
    "buskorning": ("Mopeder kör i hög fart på gång- och cykelvägen", "gång- och cykelvägen"),
    "belysning": ("Flera trasiga armaturer, mörkt längs gångvägen", "gångvägen mot busshållplatsen"),
    "nedskrapning": ("Mycket skräp och dumpade möbler", "återvinningsstationen"),
    "arrangemang": ("Match på kvällen, mycket folk i rörelse efteråt", "idrottsplatsen"),
}
# how often each area sees each category (weights); the picture differs between areas
WEIGHTS = {
    "raslatt": {"klotter": 3, "otrygg-samling": 3, "misstankt-narkotikaforsaljning": 2, "belysning": 2, "brand": 1},
    "osterangen": {"klotter": 2, "krossat-glas": 2, "nedskrapning": 2, "buskorning": 1},
    "oxnehaga": {"otrygg-samling": 2, "brand": 2, "klotter": 2, "belysning": 1},
    "huskvarna-soder": {"buskorning": 3, "nedskrapning": 1, "klotter": 1},
    "centrum": {"krossat-glas": 2, "otrygg-samling": 2, "arrangemang": 1, "misstankt-narkotikaforsaljning": 1},
}
WEEKS = 6
# each area's rough extent (west, south, east, north; WGS 84) for its demo boundary, and a spot where reports gather
EXTENTS = {
    "raslatt": (14.130, 57.727, 14.160, 57.741),
    "osterangen": (14.195, 57.762, 14.222, 57.775),
    "oxnehaga": (14.234, 57.767, 14.262, 57.783),
    "huskvarna-soder": (14.272, 57.776, 14.300, 57.788),
    "centrum": (14.148, 57.777, 14.182, 57.790),
}


def _boundary(code: str) -> dict[str, object]:
    """A demo boundary: the extent with one corner cut, so it is not just a box."""
    w, s, e, n = EXTENTS[code]
    cut = (e - w) / 4
    ring = [[w, s], [e - cut, s], [e, s + (n - s) / 3], [e, n], [w, n], [w, s]]
    return {"type": "Polygon", "coordinates": [ring]}


def _spot(code: str, rng: random.Random) -> Location:
    """Where a demo report happened: most near the extent's middle (a hot spot), some anywhere in it."""
    w, s, e, n = EXTENTS[code]
    if rng.random() < 0.6:
        return coarsen((s + n) / 2, (w + e) / 2)
    return coarsen(rng.uniform(s, n - (n - s) / 3), rng.uniform(w, e - (e - w) / 4))


async def seed(store: EventStore, now: datetime) -> bool:
    """Seed the demo tenant unless it has its first area already; True if it seeded."""
    with contextlib.suppress(NotFound):
        await commands.load_in_tenant(store, Area, Area.create_id(TENANT, AREAS[0][0]), TENANT)
        return False
    rng = random.Random(47)  # the same demo every time
    spots = random.Random(48)  # the reports' locations, apart (the rest of the demo stays as it was)
    area_ids: dict[str, UUID] = {}
    for code, name in AREAS:
        area = Area.define(MUNICIPALITY, code, name)
        area.set_boundary(MUNICIPALITY, _boundary(code))
        await store.append(area.collect_events(), 0)
        area_ids[code] = area.id
    this_week = week_of(now)
    reports: dict[str, list[Report]] = {code: [] for code, _ in AREAS}
    for back in range(WEEKS, -1, -1):
        week = shift_week(this_week, -back)
        for code, weights in WEIGHTS.items():
            for _ in range(rng.randint(2, 6)):
                category = rng.choices(list(weights), list(weights.values()))[0]
                text, place = SIGHTINGS[category]
                moment = week_start(week) + timedelta(days=rng.randint(0, 6), hours=rng.randint(8, 23))
                if moment > now:
                    continue
                reporter = rng.choice((POLICE, MUNICIPALITY, HOUSING))
                report = Report.submit(
                    reporter,
                    now=now,
                    area_id=area_ids[code],
                    category=category,
                    occurred_at=moment,
                    count=rng.randint(1, 4),
                    place=place,
                    description=text,
                    source=rng.choice(("own_observation", "public_tip", "incident_report")),
                    location=_spot(code, spots),
                )
                await store.append(report.collect_events(), 0)
                reports[code].append(report)
    await _actions(store, area_ids, reports)
    await _assessments(store, area_ids, shift_week(this_week, -1))
    log.info("seeded demo data for %s: %d areas, %d reports", TENANT, len(AREAS), sum(map(len, reports.values())))
    return True


async def _actions(store: EventStore, area_ids: dict[str, UUID], reports: dict[str, list[Report]]) -> None:
    plans = (
        ("raslatt", "Ny belysning längs gångvägen", "kommunen", "belysning", "completed"),
        ("raslatt", "Ökad närvaro kvällstid vid centrum", "polisen", "otrygg-samling", "started"),
        ("oxnehaga", "Låsbyte och ny passage till soprum", "vatterhem", "brand", "started"),
        ("huskvarna-soder", "Fartdämpande åtgärder på gång- och cykelvägen", "kommunen", "buskorning", "planned"),
    )
    for code, title, owner, category, status in plans:
        linked = [r.id for r in reports[code] if r.category == category][:5]
        action = Action.plan(
            COORDINATOR,
            area_id=area_ids[code],
            title=title,
            responsible_org=owner,
            report_ids=linked,
            categories=[category],
        )
        if status in ("started", "completed"):
            action.change_status(COORDINATOR, "started", "Arbetet har påbörjats")
            action.follow_up(COORDINATOR, "unknown", "För tidigt att se effekt")
        if status == "completed":
            action.change_status(COORDINATOR, "completed", "Klart enligt plan")
            action.follow_up(COORDINATOR, "improved", "Färre rapporter om mörka passager sedan åtgärden")
        await store.append(action.collect_events(), 0)


async def _assessments(store: EventStore, area_ids: dict[str, UUID], week: str) -> None:
    for code, level, summary in (
        ("raslatt", "yellow", "Fortsatt klotter och samlingar kvällstid; belysningen är åtgärdad."),
        ("oxnehaga", "yellow", "Bränder i soprum två veckor i rad; Vätterhem byter lås."),
        ("centrum", "green", "Lugnt läge utöver helgkvällar."),
    ):
        assessment = Assessment.start(COORDINATOR, area_ids[code], week, level, summary)
        assessment.publish(COORDINATOR)
        await store.append(assessment.collect_events(), 0)
