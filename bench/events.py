"""A synthetic event log for bench/projections.py (COPYed into `stored_events` by bench/scratch_log.py).

Several tenants' areas, reports (some corrected, some retracted), actions that start, get
followed up and complete, weekly assessments drafted and published: domain events made
directly (the aggregates' checks are the write side's cost, not the read side's), encoded
with the project's mapper (domain/codec.py), over weeks of simulated time that end now.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from bench.log_subjects import ACTION_TITLES, _Action, _Report
from bench.tenants import ORGS, TENANTS, area_code, tenant_areas
from domain.action import Action
from domain.area import Area
from domain.assessment import Assessment, assessment_id
from domain.category import Category, category_id
from domain.limits import SOURCES
from domain.report import Report
from domain.weeks import week_of
from service.demo import SIGHTINGS

KINDS = ("submit", "correct", "retract", "plan", "advance", "rename")
WEIGHTS = (70.0, 9.0, 3.0, 3.5, 11.5, 0.005)
RECENT = 20_000  # corrections and retractions pick from the reports submitted most recently


_CREATED_BY: dict[Any, type] = {
    Area.Defined: Area, Category.Added: Category, Report.Submitted: Report, Action.Planned: Action,
    Assessment.Drafted: Assessment,
}  # fmt: skip


class LogMaker:
    """Makes `count` events over weeks that end at `end` (a week per 10,000 events, 8 to 104)."""

    def __init__(self, count: int, end: datetime, seed: int = 47) -> None:
        self.count, self.rng = count, random.Random(seed)
        weeks = max(8, min(104, count // 10_000))
        self.t = end - timedelta(weeks=weeks)
        self.step = timedelta(weeks=weeks) / count
        self.areas = {tenant: tenant_areas(tenant) for tenant in TENANTS}
        self.area_versions: dict[UUID, int] = {}
        self.tenants, self.tenant_weights = list(TENANTS), [areas for areas, _ in TENANTS.values()]
        self.categories, self.category_weights = list(SIGHTINGS), [3, 2, 1, 3, 1, 2, 2, 2, 1]
        self.recent: list[_Report] = []
        self.by_area: dict[UUID, deque[_Report]] = {}
        self.actions: list[_Action] = []

    def events(self) -> Iterator[Any]:
        """The events in log order (exactly `count` of them)."""
        for made, event in enumerate(self._all(), start=1):
            yield event
            if made == self.count:
                return

    def _all(self) -> Iterator[Any]:
        yield from self._setup()
        week = week_of(self.t)
        kinds = self.rng.choices(KINDS, WEIGHTS, k=self.count)
        for kind in kinds:
            self.t += self.step
            if week_of(self.t) != week:
                yield from self._assessments(week)
                week = week_of(self.t)
            yield getattr(self, f"_{kind}")()

    def _setup(self) -> Iterator[Any]:
        for tenant, (areas, names) in TENANTS.items():
            for n in range(areas):
                name = names[n] if n < len(names) else f"Område {n + 1}"
                self.area_versions[self.areas[tenant][n]] = 1
                yield self._event(
                    Area.Defined, self.areas[tenant][n], 1, tenant=tenant, code=area_code(tenant, n),
                    name=name, parent_id=None, deso=[], regso=[], by="kommunen-1", org="kommunen",
                )  # fmt: skip
            yield self._event(
                Category.Added, category_id(tenant, "elsparkcyklar"), 1, tenant=tenant, code="elsparkcyklar",
                name_sv="Elsparkcyklar", name_en="E-scooters", parent="ordningsstorning", by="kommunen-1",
                org="kommunen",
            )  # fmt: skip

    def _event(self, cls: Any, originator_id: UUID, version: int, **fields: Any) -> Any:
        """A domain event, now (the library makes the classes' fields; mypy does not see them)."""
        if version == 1:
            fields["originator_topic"] = get_topic(_CREATED_BY[cls])
        return cls(originator_id=originator_id, originator_version=version, timestamp=self.t, **fields)

    def _actor(self) -> tuple[str, str]:
        org = self.rng.choice(ORGS)
        return f"{org}-{self.rng.randint(1, 20)}", org

    def _submit(self) -> Any:
        rng = self.rng
        tenant = rng.choices(self.tenants, self.tenant_weights)[0]
        areas = self.areas[tenant]
        area = areas[min(int(rng.expovariate(4 / len(areas))), len(areas) - 1)]  # some areas see far more
        category = rng.choices(self.categories, self.category_weights)[0]
        description, place = SIGHTINGS[category]
        report = _Report(tenant, area, category, rng.randint(1, 4), description)
        occurred = self.t - timedelta(hours=rng.uniform(0, 48))
        by, org = self._actor()
        lat, lon = 57.75 + rng.uniform(-0.02, 0.02), 14.15 + rng.uniform(-0.04, 0.04)
        location = {"lat": round(lat, 6), "lon": round(lon, 6), "cell_m": 250} if rng.random() < 0.3 else None
        if len(self.recent) < RECENT:
            self.recent.append(report)
        else:
            self.recent[rng.randrange(RECENT)] = report
        self.by_area.setdefault(area, deque(maxlen=50)).append(report)
        return self._event(
            Report.Submitted, report.id, 1, tenant=tenant, area_id=area, category=category,
            occurred_at=occurred.isoformat(), week=week_of(occurred), count=report.count, place=place,
            location=location, description=description, source=rng.choice(SOURCES), by=by, org=org,
        )  # fmt: skip

    def _pick_report(self) -> _Report | None:
        report = self.rng.choice(self.recent) if self.recent else None
        return None if report is None or report.retracted else report

    def _correct(self) -> Any:
        report, rng = self._pick_report(), self.rng
        if report is None:
            return self._submit()
        what = rng.random()
        if what < 0.65:
            new_count = report.count + rng.choice((-1, 1, 2)) if report.count > 1 else report.count + 1
            changes: dict[str, Any] = {"count": {"old": report.count, "new": new_count}}
            report.count = new_count
        elif what < 0.85:
            category = rng.choice([c for c in self.categories if c != report.category])
            changes = {"category": {"old": report.category, "new": category}}
            report.category = category
        elif what < 0.95:
            description = report.description + " (kompletterat)"
            changes = {"description": {"old": report.description, "new": description}}
            report.description = description
        else:
            area = rng.choice([a for a in self.areas[report.tenant] if a != report.area])
            changes = {"area_id": {"old": report.area, "new": area}}
            report.area = area
        report.version += 1
        by, org = self._actor()
        return self._event(
            Report.Corrected, report.id, report.version, changes=changes, reason="Rättat efter kontroll på plats",
            by=by, org=org, tenant=report.tenant,
        )  # fmt: skip

    def _retract(self) -> Any:
        report = self._pick_report()
        if report is None:
            return self._submit()
        report.retracted, report.version = True, report.version + 1
        by, org = self._actor()
        return self._event(
            Report.Retracted, report.id, report.version, reason="Dubblett av en annan rapport", by=by, org=org,
            tenant=report.tenant,
        )  # fmt: skip

    def _plan(self) -> Any:
        report = self._pick_report()
        if report is None:
            return self._submit()
        action = _Action(report.tenant)
        self.actions.append(action)
        linked = [r for r in self.by_area.get(report.area, ()) if not r.retracted][-3:]
        return self._event(
            Action.Planned, action.id, 1, tenant=report.tenant, area_id=report.area,
            title=self.rng.choice(ACTION_TITLES), description=None, responsible_org=self.rng.choice(ORGS),
            starts_on=self.t.date().isoformat(),
            ends_on=(self.t + timedelta(days=30)).date().isoformat(), report_ids=[r.id for r in linked],
            categories=sorted({r.category for r in linked}), by="kommunen-1", org="kommunen",
        )  # fmt: skip

    def _advance(self) -> Any:
        if not self.actions:
            return self._plan()
        rng = self.rng
        index = rng.randrange(len(self.actions))
        action = self.actions[index]
        action.version += 1
        by, org = self._actor()
        envelope = {"by": by, "org": org, "tenant": action.tenant}
        roll = rng.random()
        if action.status == "planned" or (action.status == "started" and roll >= 0.55):
            status = "cancelled" if roll > (0.85 if action.status == "planned" else 0.95) else None
            status = status or ("started" if action.status == "planned" else "completed")
            event_class = {"started": Action.Started, "completed": Action.Completed, "cancelled": Action.Cancelled}
            action.status = status
            if status == "cancelled":
                self.actions[index] = self.actions[-1]
                self.actions.pop()
            return self._event(event_class[status], action.id, action.version, note=None, **envelope)
        if action.status == "completed":  # the last follow-up
            self.actions[index] = self.actions[-1]
            self.actions.pop()
        effect = rng.choice(("improved", "unchanged", "worsened", "unknown"))
        note = "Uppföljning på samverkansmötet"
        return self._event(Action.FollowedUp, action.id, action.version, effect=effect, note=note, **envelope)

    def _rename(self) -> Any:
        tenant = self.rng.choice(self.tenants)
        area = self.rng.choice(self.areas[tenant])
        self.area_versions[area] += 1
        version = self.area_versions[area]
        name = f"Område {version}"
        return self._event(Area.Renamed, area, version, name=name, by="kommunen-1", org="kommunen", tenant=tenant)

    def _assessments(self, week: str) -> Iterator[Any]:
        """About half the areas get their assessment for the week that just ended."""
        rng = self.rng
        for tenant, areas in self.areas.items():
            for area in areas:
                if rng.random() < 0.5:
                    continue
                oid = assessment_id(tenant, area, week)
                level = rng.choice(("green", "yellow", "yellow", "red"))
                summary = "Lugnt läge utöver helgkvällar." if level == "green" else "Fortsatt klotter kvällstid."
                common = {"by": "kommunen-2", "org": "kommunen"}
                yield self._event(
                    Assessment.Drafted, oid, 1, tenant=tenant, area_id=area, week=week, revision=1, level=level,
                    summary=summary, **common,
                )  # fmt: skip
                version = 1
                if rng.random() < 0.4:
                    version += 1
                    summary += " Polisen bekräftar bilden."
                    yield self._event(
                        Assessment.DraftSaved, oid, version, revision=1, level=level, summary=summary, tenant=tenant,
                        **common,
                    )  # fmt: skip
                yield self._event(
                    Assessment.Published, oid, version + 1, area_id=area, week=week, revision=1, level=level,
                    summary=summary, tenant=tenant, **common,
                )  # fmt: skip
