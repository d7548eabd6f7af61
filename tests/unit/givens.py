"""Givens for the aggregate tests: actors, a fixed clock, and aggregates in a known state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.action import Action
from domain.actor import Actor
from domain.area import area_id
from domain.report import Report

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday of 2026-W48
POLICE = Actor("polis-1", "polisen", "jonkoping")
MUNICIPALITY = Actor("kommun-1", "kommunen", "jonkoping")
RASLATT: UUID = area_id("jonkoping", "raslatt")
OXNEHAGA: UUID = area_id("jonkoping", "oxnehaga")


def new_events(aggregate: Any) -> list[Any]:
    """The events the last commands raised (and forget them, as a store would)."""
    return list(aggregate.collect_events())


def submitted_report(**overrides: Any) -> Report:
    """Given: a report submitted by the police, its events already stored."""
    facts: dict[str, Any] = {
        "area_id": RASLATT,
        "category": "klotter",
        "occurred_at": datetime(2026, 11, 20, 21, 30, tzinfo=UTC),
        "count": 2,
        "place": "Gångtunneln vid centrum",
        "description": "Nytt klotter på båda väggarna",
        "source": "own_observation",
    } | overrides
    report = Report.submit(POLICE, now=NOW, **facts)
    new_events(report)
    return report


def planned_action(status: str = "planned") -> Action:
    """Given: an action planned (and moved on to `status`) by the municipality."""
    action = Action.plan(MUNICIPALITY, area_id=RASLATT, title="Ny belysning i gångtunneln", responsible_org="kommunen")
    if status in ("started", "completed"):
        action.change_status(MUNICIPALITY, "started")
    if status == "completed":
        action.change_status(MUNICIPALITY, "completed")
    if status == "cancelled":
        action.change_status(MUNICIPALITY, "cancelled")
    new_events(action)
    return action
