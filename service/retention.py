"""Retention (gallring): reports and actions older than the retention period have their free text redacted.

Their events stay (the counts, the history, the audit trail); only the data key is destroyed,
by the same Redacted event a coordinator's redaction appends, recorded as done by the system.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from domain.action import Action
from domain.actor import Actor
from domain.report import Report
from projections.connections import CONNECTION_ERRORS
from service.event_store import ConcurrencyConflict, EventStore, StoreUnavailable

log = logging.getLogger(__name__)
SYSTEM_USER = "lagesbild-retention"
SYSTEM_ORG = "lagesbild"
SWEEP_EVERY_SECONDS = 3600.0
_BATCH = 500


async def sweep(store: EventStore, now: datetime, days: int) -> int:
    """Redact every report and action whose key is older than `days`; how many were redacted."""
    cutoff, redacted = now - timedelta(days=days), 0
    skipped: set[UUID] = set()
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
            aggregate = await store.load(subject_id)
            if not isinstance(aggregate, (Report, Action)):
                skipped.add(subject_id)
                continue
            aggregate.redact(Actor(SYSTEM_USER, SYSTEM_ORG, aggregate.tenant), f"retention period of {days} days")
            try:
                await store.append(aggregate.collect_events(), expected_version=aggregate.version - 1)
            except ConcurrencyConflict:
                skipped.add(subject_id)  # changed meanwhile; the next sweep takes it
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
