"""The report use cases (service root): submit, correct, retract – shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.report import Report
from service import commands
from service.area_lookup import AreaLookup
from service.errors import Forbidden
from service.idempotency import IdempotentRequest
from service.identity import Identity
from service.references import check_area, check_category
from service.store.event_store import AppendResult, EventStore


def may_change(identity: Identity, report: Report) -> bool:
    """A reporter changes its own organisation's reports; a coordinator any report."""
    if "coordinator" in identity.roles:
        return True
    return "reporter" in identity.roles and report.org == identity.org


async def submit_report(
    store: EventStore,
    areas: AreaLookup,
    identity: Identity,
    now: datetime,
    facts: dict[str, Any],
    once: IdempotentRequest | None,
    prefix: str = "",
) -> AppendResult:
    """Check the area and category, let the Report decide, store it (once per idempotency key, `once`).

    `facts` are Report.submit's keyword arguments (area_id, category, occurred_at or week, count,
    place, location, description, source); `prefix` goes before the field an error names.
    """
    identity.require("reporter")
    await check_area(areas, facts["area_id"], identity.tenant, f"{prefix}area_id")
    await check_category(store, facts["category"], identity.tenant, f"{prefix}category")
    report = Report.submit(identity.actor, now=now, **facts)
    return await commands.create(store, report, identity, once)


async def correct_report(
    store: EventStore,
    areas: AreaLookup,
    identity: Identity,
    now: datetime,
    report_id: UUID,
    changes: dict[str, Any],
    reason: str,
    if_match: int | None,
) -> AppendResult:
    """Change some facts of a report (its organisation's reporter, or a coordinator), saying why."""
    identity.require("reporter", "coordinator")
    if "area_id" in changes:
        await check_area(areas, changes["area_id"], identity.tenant, "changes.area_id")
    if "category" in changes:
        await check_category(store, changes["category"], identity.tenant, "changes.category")

    def decide(report: Report) -> None:
        if not may_change(identity, report):
            raise Forbidden("only the reporting organisation or a coordinator may correct it")
        report.correct(identity.actor, changes, reason, now)

    return await commands.change(store, Report, report_id, identity.tenant, if_match, decide)


async def retract_report(
    store: EventStore, identity: Identity, report_id: UUID, reason: str, if_match: int | None
) -> AppendResult:
    """Withdraw a report (its organisation's reporter, or a coordinator): it stays in history, leaves the counts."""
    identity.require("reporter", "coordinator")

    def decide(report: Report) -> None:
        if not may_change(identity, report):
            raise Forbidden("only the reporting organisation or a coordinator may retract it")
        report.retract(identity.actor, reason)

    return await commands.change(store, Report, report_id, identity.tenant, if_match, decide)
