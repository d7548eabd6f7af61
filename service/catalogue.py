"""The catalogue (a use case's view of it): a tenant's areas and categories, and the bound on how many it may define.

A read takes the tenant's rows from the catalogue read model (projections/catalogue/) and applies
to them the few area and category events the projection has not reached yet (found through the
partial index of migration 0002, from the position the rows are at): so it sees every catalogue
write committed before it, with or without `min_position`, and costs what the tenant's own
catalogue costs plus the projection's lag, never every partnership's catalogue.

Defining an area or a category takes a transaction-level advisory lock per tenant, counts the
tenant's catalogue under it and appends before it is released: two admins of one partnership
creating at once are counted one after the other (on every replica: the lock is the database's),
while other partnerships never wait. A uniqueness constraint cannot express a count, and the
append goes through the store's group commit on connections of its own, so a serializable
transaction around count and append is not possible.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.area import Area
from domain.categories import DEFAULT_CATEGORIES, CategoryInfo
from domain.category import Category
from projections.catalogue import queries
from projections.catalogue.rows import Row, changed
from projections.generations import Connection, Recorded, ensure_active
from projections.registry import PROJECTIONS
from projections.tenancy import TenantReaders
from service.db.pools import create_reader_pool
from service.errors import LimitReached
from service.store.event_store import EventStore

# The predicate of the partial index in migration 0002, word for word (and from where the rows are).
_TAIL_SQL = (
    "SELECT notification_id, recorded_at, originator_id, originator_version, topic, state FROM stored_events"
    " WHERE (topic LIKE 'domain.area:%' OR topic LIKE 'domain.category:%') AND notification_id > $1"
    " ORDER BY notification_id"
)
_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended('lagesbild.catalogue/' || $1, 0))"
Kind = Literal["areas", "categories"]
_SETTING = {"areas": "LAGESBILD_MAX_AREAS_PER_TENANT", "categories": "LAGESBILD_MAX_CATEGORIES_PER_TENANT"}


@dataclass(frozen=True, slots=True)
class CatalogueArea:
    """An area as the catalogue lists it."""

    id: UUID
    code: str
    name: str
    parent_id: UUID | None
    deso: list[str]
    regso: list[str]
    retired: bool
    version: int

    @classmethod
    def of(cls, row: Row) -> CatalogueArea:
        """The area of a row of the read model (projections/catalogue/tables.py)."""
        return cls(
            row["area_id"], row["code"], row["name"], row["parent_id"], list(row["deso"]), list(row["regso"]),
            row["retired"], row["version"],
        )  # fmt: skip


class Catalogue:
    """Reads of the catalogue per tenant, and what they cost so far (rows read, log events decoded)."""

    def __init__(self, store: EventStore, readers: TenantReaders) -> None:
        self._store, self._readers = store, readers
        self.rows_read = 0
        self.events_decoded = 0

    async def areas(self, tenant: str) -> list[CatalogueArea]:
        """The tenant's areas, retired ones included, by name."""
        return [CatalogueArea.of(row) for row in await self._area_rows(tenant)]

    async def _area_rows(self, tenant: str, log: Connection | None = None) -> list[Row]:
        """The tenant's areas as rows, by name; `log` a connection of the store's pool to read the log on."""
        async with self._readers.statement(tenant) as conn:
            reached, rows = await queries.areas(conn, tenant)
        areas = await self._brought_up(tenant, reached, rows, "area_id", 0, log)
        return sorted(areas, key=itemgetter("name"))

    async def own_categories(self, tenant: str, log: Connection | None = None) -> list[Row]:
        """The categories the tenant added itself, by code."""
        async with self._readers.statement(tenant) as conn:
            reached, rows = await queries.categories(conn, tenant)
        categories = await self._brought_up(tenant, reached, rows, "category_id", 1, log)
        return sorted(categories, key=itemgetter("code"))

    async def categories(self, tenant: str) -> list[CategoryInfo]:
        """The default EST categories followed by the tenant's own."""
        own = [
            CategoryInfo(c["code"], c["name_sv"], c["name_en"], c["parent"]) for c in await self.own_categories(tenant)
        ]
        return [*DEFAULT_CATEGORIES, *own]

    @contextlib.asynccontextmanager
    async def defining(self, tenant: str, kind: Kind, new_id: UUID, limit: int) -> AsyncIterator[list[Row]]:
        """Hold the tenant's catalogue lock while the caller appends one more of `kind`; yield the current rows.

        LimitReached (409) if the tenant has `limit` of them already: unless `new_id` is one of them
        (a retry, which the store then answers as a replay or as existing already).
        """
        async with self._store.pool.acquire() as conn, conn.transaction():
            await conn.execute(_LOCK_SQL, tenant)
            # the log on this connection: waiting on the lock, every other request holds one of the pool's
            current = await (self._area_rows(tenant, conn) if kind == "areas" else self.own_categories(tenant, conn))
            key = "area_id" if kind == "areas" else "category_id"
            if len(current) >= limit and all(row[key] != new_id for row in current):
                raise LimitReached(
                    f"the partnership has {len(current)} {kind} already, as many as it may define ({_SETTING[kind]})"
                )
            yield current

    async def _brought_up(
        self, tenant: str, reached: int, rows: list[Row], key: str, which: int, log: Connection | None
    ) -> list[Row]:
        """`rows` at position `reached`, with the tenant's catalogue events since applied."""
        self.rows_read += len(rows)
        tables: tuple[dict[Any, Row], dict[Any, Row]] = ({}, {})
        tables[which].update((row[key], row) for row in rows)
        kind = (Area.Event, Category.Event)[which]
        for recorded in await self._since(reached, log):
            # Only its own kind: the other's rows are not read here, so an area renamed since has no row to change.
            if recorded.event.tenant == tenant and isinstance(recorded.event, kind):
                changed(*tables, recorded)
        return list(tables[which].values())

    async def _since(self, position: int, log: Connection | None) -> list[Recorded]:
        """The catalogue events after `position` (those the projection has yet to apply), decoded."""
        found = await (log or self._store.pool).fetch(_TAIL_SQL, position)
        self.events_decoded += len(found)
        to_event = self._store.mapper.to_domain_event
        return [Recorded(r[0], r[1], r[2], r[3], r[4], to_event(StoredEvent(r[2], r[3], r[4], r[5]))) for r in found]


@contextlib.asynccontextmanager
async def opened(store: EventStore, dsn: str) -> AsyncIterator[Catalogue]:
    """A catalogue for one command of the command line (the app keeps its own): its read model, a readers' pool."""
    async with store.pool.acquire() as conn:
        await ensure_active(conn, PROJECTIONS["catalogue"])  # as the app does on start-up
    async with create_reader_pool(dsn, 2) as readers:
        yield Catalogue(store, TenantReaders(readers))
