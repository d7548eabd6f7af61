"""What an append is and what can come of it: the vocabulary of the event writer and the event store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import StoredEvent


class ConcurrencyConflict(Exception):
    """The aggregate was not at the expected version; nothing of the append was stored."""

    def __init__(self, originator_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"{originator_id} is at version {actual}, expected {expected}")
        self.originator_id, self.expected, self.actual = originator_id, expected, actual


class IdempotencyKeyReused(Exception):
    """The idempotency key was seen with another request (its fingerprint differs): nothing was stored."""

    def __init__(self, originator_id: UUID) -> None:
        super().__init__(f"the idempotency key was used before for another request (which made {originator_id})")
        self.originator_id = originator_id


class StoreUnavailable(Exception):
    """The database could not be reached: the append was not stored, or (`maybe_stored`) nobody knows."""

    def __init__(self, detail: str, maybe_stored: bool = False) -> None:
        super().__init__(detail)
        self.maybe_stored = maybe_stored


@dataclass(frozen=True)
class AppendResult:
    """What an append wrote (or, for an idempotent retry, what the first attempt wrote)."""

    originator_id: UUID
    version: int
    position: int
    replayed: bool = False


@dataclass
class PendingAppend:
    """One append waiting to be written: an aggregate, its expected version, its records."""

    originator_id: UUID
    expected_version: int
    records: list[StoredEvent]
    idempotency_key: str | None = None
    new_key: bytes | None = None
    """The data key of an aggregate's first sealed append (stored with it, domain/sealing.py)."""
    fingerprint: bytes | None = None
    """What the request that carried `idempotency_key` asked: the same key with another is refused."""
    future: asyncio.Future[AppendResult] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
