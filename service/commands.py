"""The write side's use cases in one shape: load, let the aggregate decide, append."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from litestar.exceptions import NotFoundException

from service.store.event_store import AggregateNotFound, AppendResult, ConcurrencyConflict, EventStore
from service.web.auth import Identity
from service.web.problems import Conflict, PreconditionFailed

T = TypeVar("T")
RETRIES = 3  # without If-Match, a change that raced another is decided again on fresh state


async def load_in_tenant(store: EventStore, cls: type[T], aggregate_id: UUID, tenant: str) -> T:
    """The aggregate, if it exists, is a `cls` and belongs to `tenant`; else 404 (saying no more)."""
    try:
        aggregate = await store.load(aggregate_id)
    except AggregateNotFound:
        raise NotFoundException(f"no such {cls.__name__.lower()}") from None
    if not isinstance(aggregate, cls) or getattr(aggregate, "tenant", None) != tenant:
        raise NotFoundException(f"no such {cls.__name__.lower()}")
    return aggregate


async def create(store: EventStore, aggregate: Any, identity: Identity, idempotency_key: str | None) -> AppendResult:
    """Store a new aggregate. The key is scoped to the caller, so two users' keys never meet."""
    key = f"{identity.tenant}/{identity.sub}/{idempotency_key}" if idempotency_key else None
    try:
        return await store.append(aggregate.collect_events(), expected_version=0, idempotency_key=key)
    except ConcurrencyConflict:
        raise Conflict(f"this {type(aggregate).__name__.lower()} exists already") from None


async def change(
    store: EventStore,
    cls: type[T],
    aggregate_id: UUID,
    identity: Identity,
    if_match: int | None,
    decide: Callable[[T], None],
) -> AppendResult:
    """Load, decide and append. With If-Match, a different version is 412 and nothing is stored."""
    for attempt in range(RETRIES):
        aggregate: Any = await load_in_tenant(store, cls, aggregate_id, identity.tenant)
        version = aggregate.version
        if if_match is not None and if_match != version:
            raise PreconditionFailed(f"If-Match names version {if_match}, but it is at version {version}")
        decide(aggregate)
        try:
            return await store.append(aggregate.collect_events(), expected_version=version)
        except ConcurrencyConflict:
            if if_match is not None:
                raise PreconditionFailed(f"it changed after version {if_match}; load it again") from None
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")
