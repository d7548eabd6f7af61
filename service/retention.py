"""Retention (gallring): reports and actions older than the retention period have their free text redacted.

Their events stay (the counts, the history, the audit trail); only the data key is destroyed,
by the same Redacted event a coordinator's redaction appends, recorded as done by the system,
through the same use case (service/commands.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.action import Action
from domain.actor import Actor
from domain.errors import InvalidTransition
from domain.report import Report
from projections.connections import CONNECTION_ERRORS
from service import commands
from service.errors import NotFound
from service.store.event_store import ConcurrencyConflict, EventStore, StoreUnavailable

log = logging.getLogger(__name__)
SYSTEM_USER = "lagesbild-retention"
SYSTEM_ORG = "lagesbild"
SWEEP_EVERY_SECONDS = 3600.0
_BATCH = 500


async def sweep(store: EventStore, now: datetime, days: int) -> int:
    """Redact every report and action whose key is older than `days`; how many this sweep redacted.

    Safe beside another sweep (two replicas, or `lagesbild retention` beside the service): what
    the other redacted first is passed over, not an error.
    """
    cutoff, redacted = now - timedelta(days=days), 0
    skipped: set[UUID] = set()
    reason = f"retention period of {days} days"

    def redact(aggregate: Aggregate) -> None:
        assert isinstance(aggregate, (Report, Action))  # what change loads for (Report, Action)
        aggregate.redact(Actor(SYSTEM_USER, SYSTEM_ORG, aggregate.tenant), reason)

    while True:
        rows = await store.pool.fetch(
            "SELECT subject_id FROM data_keys WHERE key IS NOT NULL AND created_at < $1"
            " AND NOT subject_id = ANY($2) ORDER BY created_at LIMIT $3",
            cutoff,
            list(skipped),
            _BATCH,
        )
        if not rows:
            return redacted
        for (subject_id,) in rows:
            try:
                await commands.change(store, (Report, Action), subject_id, None, None, redact)
            except (NotFound, InvalidTransition, ConcurrencyConflict):
                # not a report or action; redacted meanwhile by another sweep; or changed meanwhile
                # (the next sweep takes it)
                skipped.add(subject_id)
                continue
            redacted += 1


async def sweep_forever(store: EventStore, clock: Callable[[], datetime], days: int) -> None:
    """Sweep now and then every hour, in the service process (until cancelled)."""
    while True:
        with contextlib.suppress(*CONNECTION_ERRORS, StoreUnavailable):
            count = await sweep(store, clock(), days)
            if count:
                log.info("retention: redacted the free text of %d reports and actions older than %d days", count, days)
        await asyncio.sleep(SWEEP_EVERY_SECONDS)  # a schedule, not a wait for a condition
