"""The write side's use cases in one shape: load, let the aggregate decide, append.

They raise the project's own errors (service/errors.py, the domain's), never HTTP ones, so
the API, the pages, retention and importers share them; web/problems.py maps each to HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from service.errors import AlreadyExists, IdempotencyKeyMismatch, NotFound, StaleVersion
from service.idempotency import IdempotentRequest
from service.identity import Identity
from service.store.event_store import (
    AggregateNotFound,
    AppendResult,
    ConcurrencyConflict,
    EventStore,
    IdempotencyKeyReused,
)

T = TypeVar("T")
RETRIES = 3  # without If-Match, a change that raced another is decided again on fresh state


async def load_in_tenant(
    store: EventStore, cls: type[T] | tuple[type[T], ...], aggregate_id: UUID, tenant: str | None
) -> T:
    """The aggregate, if it exists, is a `cls` and belongs to `tenant`; else NotFound (saying no more).

    `tenant` None is the system's own work (retention), which acts in every partnership.
    """
    missing = NotFound(f"no such {cls.__name__.lower()}" if isinstance(cls, type) else "no such thing")
    try:
        aggregate = await store.load(aggregate_id)
    except AggregateNotFound:
        raise missing from None
    if not isinstance(aggregate, cls) or (tenant is not None and getattr(aggregate, "tenant", None) != tenant):
        raise missing
    return aggregate


async def create(
    store: EventStore, aggregate: Any, identity: Identity, request: IdempotentRequest | None
) -> AppendResult:
    """Store a new aggregate; with an Idempotency-Key (`request`), at most once per key.

    The key is scoped to the caller, so two users' keys never meet, and bound to the request: the
    same request again gets the first result; another request with the same key is
    IdempotencyKeyMismatch, and nothing is stored.
    """
    key = request.scoped_key(identity) if request else None
    fingerprint = request.fingerprint if request else None
    events = aggregate.collect_events()
    try:
        return await store.append(events, expected_version=0, idempotency_key=key, fingerprint=fingerprint)
    except ConcurrencyConflict:
        raise AlreadyExists(f"this {type(aggregate).__name__.lower()} exists already") from None
    except IdempotencyKeyReused:
        raise IdempotencyKeyMismatch(
            "this Idempotency-Key was used before for another request (another body or route); use a new key"
        ) from None


async def change(
    store: EventStore,
    cls: type[T] | tuple[type[T], ...],
    aggregate_id: UUID,
    tenant: str | None,
    if_match: int | None,
    decide: Callable[[T], None],
) -> AppendResult:
    """Load, decide and append. With If-Match, a different version is StaleVersion and nothing is stored."""
    for attempt in range(RETRIES):
        aggregate: Any = await load_in_tenant(store, cls, aggregate_id, tenant)
        version = aggregate.version
        if if_match is not None and if_match != version:
            raise StaleVersion(f"If-Match names version {if_match}, but it is at version {version}")
        decide(aggregate)
        try:
            return await store.append(aggregate.collect_events(), expected_version=version)
        except ConcurrencyConflict:
            if if_match is not None:
                raise StaleVersion(f"it changed after version {if_match}; load it again") from None
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")
