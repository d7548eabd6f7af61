"""The area lookup: kept for its time to live, forgotten when this process changes the area."""

from __future__ import annotations

import uuid

import pytest

from domain.actor import Actor
from domain.area import Area
from service.area_lookup import AreaLookup
from service.errors import NotFound
from service.store.event_store import EventStore

ADMIN = Actor("admin", "kommunen", "jonkoping")


async def test_an_area_is_kept_for_its_ttl_then_read_again(store: EventStore) -> None:
    now = [0.0]
    lookup = AreaLookup(store, ttl=2.0, clock=lambda: now[0])
    area = Area.define(ADMIN, f"a-{uuid.uuid4().hex[:8]}", "Råslätt")
    await store.append(area.collect_events(), 0)
    assert (await lookup.get(area.id, "jonkoping")).retired is False

    changed = await store.load(area.id)
    changed.retire(ADMIN, "sammanslaget")
    await store.append(changed.collect_events(), 1)
    assert (await lookup.get(area.id, "jonkoping")).retired is False  # still the kept one
    now[0] = 2.5
    assert (await lookup.get(area.id, "jonkoping")).retired is True


async def test_a_forgotten_area_is_read_again_at_once(store: EventStore) -> None:
    lookup = AreaLookup(store, ttl=60)
    area = Area.define(ADMIN, f"a-{uuid.uuid4().hex[:8]}", "Centrum")
    await store.append(area.collect_events(), 0)
    await lookup.get(area.id, "jonkoping")
    changed = await store.load(area.id)
    changed.rename(ADMIN, "Jönköpings centrum")
    await store.append(changed.collect_events(), 1)
    lookup.forget(area.id)
    assert (await lookup.get(area.id, "jonkoping")).name == "Jönköpings centrum"


async def test_a_kept_area_is_still_not_found_for_another_tenant(store: EventStore) -> None:
    lookup = AreaLookup(store)
    area = Area.define(ADMIN, f"a-{uuid.uuid4().hex[:8]}", "Öxnehaga")
    await store.append(area.collect_events(), 0)
    await lookup.get(area.id, "jonkoping")
    with pytest.raises(NotFound):
        await lookup.get(area.id, "linkoping")
