"""Importing a spreadsheet of reports (use case): check every row, store the good ones once, list the rest."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.categories import CategoryInfo
from domain.errors import Invalid
from service.identity import Identity
from service.imports.report_rows import (
    COLUMNS,
    AreaEntry,
    Candidate,
    Problem,
    Vocabulary,
    check_columns,
    row_report,
)
from service.imports.tables import Table
from service.store.event_store import ConcurrencyConflict, EventStore

CHUNK = 1000
"""Appends in flight at once: the group-commit writer batches them; more only queues in memory."""


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What became (or, in a dry run, would become) of a row: `created`, `already_there` or `refused`."""

    row: int
    status: str
    report_id: UUID | None


@dataclass(slots=True)
class ImportOutcome:
    """The whole answer: each row's outcome, every problem, and the log position to read from afterwards."""

    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    position: int | None = None

    def count(self, status: str) -> int:
        """How many rows ended as `status`."""
        return sum(1 for row in self.rows if row.status == status)


async def import_reports(
    store: EventStore,
    identity: Identity,
    table: Table,
    *,
    areas: Sequence[AreaEntry],
    categories: Sequence[CategoryInfo],
    now: datetime,
    dry_run: bool,
) -> ImportOutcome:
    """Check each row as a single report is checked; unless `dry_run`, store those not stored before."""
    header = check_columns(table.columns)
    if header:
        raise Invalid(f"columns.{header[0].column}", header[0].message)
    words, outcome = Vocabulary(areas, categories), ImportOutcome(dry_run)
    candidates: list[Candidate] = []
    seen: Counter[tuple[str, ...]] = Counter()
    for number, cells in table.rows:
        seen[same := tuple(cells.get(name, "") for name in COLUMNS)] += 1
        checked = row_report(number, cells, identity.actor, words, now, seen[same])
        if isinstance(checked, Candidate):
            candidates.append(checked)
        else:
            outcome.problems += checked
            outcome.rows.append(RowOutcome(number, "refused", None))
    stored = await store.existing([c.report.id for c in candidates])
    fresh: list[Candidate] = []
    for candidate in candidates:
        if candidate.report.id in stored:
            outcome.rows.append(RowOutcome(candidate.row, "already_there", candidate.report.id))
        else:
            stored.add(candidate.report.id)  # one external_id twice in one file is one report
            fresh.append(candidate)
    status = "would_create" if dry_run else "created"
    if not dry_run:
        for start in range(0, len(fresh), CHUNK):
            await _append(store, fresh[start : start + CHUNK], outcome)
    else:
        outcome.rows += [RowOutcome(c.row, status, c.report.id) for c in fresh]
    outcome.rows.sort(key=lambda r: r.row)
    return outcome


async def _append(store: EventStore, chunk: list[Candidate], outcome: ImportOutcome) -> None:
    results = await asyncio.gather(
        *(store.append(c.report.collect_events(), expected_version=0) for c in chunk), return_exceptions=True
    )
    for candidate, result in zip(chunk, results, strict=True):
        if isinstance(result, ConcurrencyConflict):  # stored meanwhile by another import of the same file
            outcome.rows.append(RowOutcome(candidate.row, "already_there", candidate.report.id))
        elif isinstance(result, BaseException):
            raise result
        else:
            outcome.rows.append(RowOutcome(candidate.row, "created", candidate.report.id))
            outcome.position = max(outcome.position or 0, result.position)
