"""Areas by id for checking writes against, kept briefly in memory (they change rarely)."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from domain.area import Area
from service import commands
from service.errors import NotFound
from service.store.event_store import EventStore

TTL_SECONDS = 2.0


class AreaLookup:
    """Every report checks its area; loading it each time cost a round trip per request.

    An area found is kept for `ttl` seconds. This process forgets an area as soon as it
    changes it (rename, retire), so here a retirement holds at once; another API process
    sees it within `ttl` seconds. Areas not found are never kept.
    """

    def __init__(
        self, store: EventStore, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._store, self._ttl, self._clock = store, ttl, clock
        self._areas: dict[UUID, tuple[float, Area]] = {}

    async def get(self, area_id: UUID, tenant: str) -> Area:
        """The area if it exists in `tenant`; NotFound otherwise."""
        now = self._clock()
        kept = self._areas.get(area_id)
        if kept is not None and kept[0] > now:
            area = kept[1]
        else:
            area = await commands.load_in_tenant(self._store, Area, area_id, tenant)
            self._areas[area_id] = (now + self._ttl, area)
        if area.tenant != tenant:
            raise NotFound("no such area")  # what load_in_tenant says too
        return area

    def forget(self, area_id: UUID) -> None:
        """Drop the area (this process just changed it)."""
        self._areas.pop(area_id, None)
