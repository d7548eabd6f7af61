"""The catalogue: a tenant's areas and categories, rebuilt from their (few) events on each read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.area import Area
from domain.categories import DEFAULT_CATEGORIES, CategoryInfo
from domain.category import Category
from service.store.event_store import EventStore

# The predicate of the partial index in migration 0002, word for word.
_SQL = (
    "SELECT originator_id, originator_version, topic, state FROM stored_events"
    " WHERE topic LIKE 'domain.area:%' OR topic LIKE 'domain.category:%' ORDER BY notification_id"
)


async def _aggregates(store: EventStore, tenant: str) -> list[Any]:
    rows = await store.pool.fetch(_SQL)
    aggregates: dict[UUID, Any] = {}
    for row in rows:
        event: Any = store.mapper.to_domain_event(StoredEvent(*row))
        aggregates[row[0]] = event.mutate(aggregates.get(row[0]))
    return [a for a in aggregates.values() if a.tenant == tenant]


async def areas(store: EventStore, tenant: str) -> list[Area]:
    """The tenant's areas, retired ones included, by name."""
    found = [a for a in await _aggregates(store, tenant) if isinstance(a, Area)]
    return sorted(found, key=lambda a: a.name)


async def categories(store: EventStore, tenant: str) -> list[CategoryInfo]:
    """The default EST categories followed by the tenant's own."""
    own = [a for a in await _aggregates(store, tenant) if isinstance(a, Category)]
    added = sorted((CategoryInfo(c.code, c.name_sv, c.name_en, c.parent) for c in own), key=lambda c: c.code)
    return [*DEFAULT_CATEGORIES, *added]
