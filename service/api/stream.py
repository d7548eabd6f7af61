"""Live updates: a Server-Sent Events feed of picture changes for the caller's tenant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from domain.weeks import week_of
from service.api.common import Identity, Pool, Tracker
from service.api.errors import problems
from service.auth import authenticated

KEEPALIVE_SECONDS = 15.0


async def _changes(pool: Any, tenant: str, after: int, week: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT c.area_id, c.position, coalesce(sum(w.reports), 0) AS reports,"
        " coalesce(sum(w.occurrences), 0) AS occurrences FROM picture_area_changes c"
        " LEFT JOIN picture_weekly_counts w ON w.tenant = c.tenant AND w.area_id = c.area_id AND w.week = $3"
        " WHERE c.tenant = $1 AND c.position > $2 GROUP BY c.area_id, c.position ORDER BY c.position",
        tenant,
        after,
        week,
    )
    return [
        {"area_id": str(r["area_id"]), "week": week, "reports": r["reports"], "occurrences": r["occurrences"],
         "position": r["position"]}
        for r in rows
    ]  # fmt: skip


class StreamController(Controller):
    """`/api/v1/stream`."""

    path = "/stream"
    tags = ["picture"]  # noqa: RUF012

    @get(
        summary="Picture changes as Server-Sent Events",
        guards=[authenticated],
        media_type="text/event-stream",
        responses=problems(),
    )
    async def stream(self, identity: Identity, pool: Pool, tracker: Tracker) -> ServerSentEvent:
        """Each change: `event: picture`, data `{area_id, week, reports, occurrences, position}`."""
        tenant = identity.tenant

        async def events() -> AsyncGenerator[ServerSentEventMessage, None]:
            seen = int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM picture_area_changes"))
            async with tracker.subscribe() as progress:
                while True:
                    try:
                        async with asyncio.timeout(KEEPALIVE_SECONDS):
                            name, _position = await progress.get()
                    except TimeoutError:
                        yield ServerSentEventMessage(comment="keep-alive")
                        continue
                    if name != "picture":
                        continue
                    for change in await _changes(pool, tenant, seen, week_of(datetime.now(UTC))):
                        seen = max(seen, change["position"])
                        data = json.dumps(change)
                        yield ServerSentEventMessage(event="picture", data=data, id=str(change["position"]))

        return ServerSentEvent(events())
