"""Live updates: a Server-Sent Events feed of picture changes for the caller's tenant."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, get
from litestar.background_tasks import BackgroundTask
from litestar.response import ServerSentEvent, ServerSentEventMessage

from domain.weeks import week_of
from projections.connections import CONNECTION_ERRORS
from projections.picture.changes import changes_after, last_change
from projections.tenancy import tenant_connection
from service.api.params import After, LastEventId
from service.audit.recording import recorded
from service.web.auth import authenticated
from service.web.context import Context, HandlerContext
from service.web.problems import problems
from service.web.projection_progress import END

log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15.0
RECONNECT_MS = 1000
"""How long a client waits before it reconnects after the service ended the stream (stopping)."""
_EXPIRED = json.dumps({"detail": "the token (or the session) has expired: open a new stream with a fresh one"})


async def _changes(pool: Any, tenant: str, after: int, week: str) -> list[dict[str, Any]]:
    async with tenant_connection(pool, tenant) as conn:
        return await changes_after(conn, tenant, after, week)


class StreamController(Controller):
    """`/api/v1/stream`."""

    path = "/stream"
    tags = ["picture"]  # noqa: RUF012

    @get(
        summary="Picture changes as Server-Sent Events",
        guards=[authenticated],
        media_type="text/event-stream",
        responses=problems(429),
        middleware=[recorded("stream")],
    )
    async def stream(self, context: Context, after: After = None, last_event_id: LastEventId = None) -> ServerSentEvent:
        """Each change of an area: `event: picture`, data as Översikt shows the area (changes_after).

        Data `{area_id, week, reports, occurrences, trend, level, open_actions, position}`: an area
        changes with its counts, a published assessment and an action planned or moved on.

        From the changes after `after` (a position the caller's picture holds, such as GET /picture's
        `position`), or after the last change as the stream opens; a reconnecting client's
        `Last-Event-ID` (the position of the last change it got) goes before either.

        503 if the database is away when the stream opens; once open, the stream outlives an
        outage and sends what changed meanwhile when the database is back. It ends when the token
        expires (`event: expired` last); one subject may hold LAGESBILD_MAX_STREAMS_PER_SUBJECT
        streams open at once in one process, and gets 429 with Retry-After beyond.
        """
        return await picture_stream(context, after, last_event_id)


async def picture_stream(context: HandlerContext, after: int | None, last_event_id: str | None) -> ServerSentEvent:
    """The caller's tenant's picture changes as Server-Sent Events (the API's /stream and the pages' /live).

    The changes after `last_event_id` if it is a position, else after `after`, else after the last
    one as the stream opens. The stream ends when the caller's token (or session) expires, with
    `event: expired` last, and holds one of the subject's LAGESBILD_MAX_STREAMS_PER_SUBJECT places
    while it is open (429 beyond).
    """
    identity, pool, tracker = context.identity, context.pool, context.tracker
    tenant = identity.tenant
    slot = context.streams.take(identity)  # 429 before anything else is asked of the database
    try:
        # Before the response starts: a failure here can still be a 503, not a broken stream.
        async with tenant_connection(pool, tenant) as conn:
            latest = await last_change(conn, tenant)
        seen = latest
        if last_event_id is not None:
            seen = int(last_event_id)  # a client reconnecting has what came before
        elif after is not None:
            seen = after
    except BaseException:
        slot.release()
        raise

    async def events(seen: int) -> AsyncGenerator[ServerSentEventMessage, None]:
        behind = False  # a change notified while the database was away is fetched later
        # Asked once as soon as the stream listens, whatever `latest` said: a change the projection
        # committed between reading `latest` and subscribing notifies no one, and would wait for
        # the next write (seen once on CI: an action planned just before a stream opened).
        owed = True
        try:
            async with tracker.subscribe() as progress:
                while True:
                    left = identity.expires - time.time()
                    if left <= 0:
                        yield ServerSentEventMessage(event="expired", data=_EXPIRED)
                        return
                    try:
                        if owed:
                            owed, item = False, ("picture", 0)
                        else:
                            async with asyncio.timeout(min(KEEPALIVE_SECONDS, left)):
                                item = await progress.get()
                    except TimeoutError:
                        if identity.expires <= time.time():
                            continue  # ends the stream at the top of the loop
                        yield ServerSentEventMessage(comment="keep-alive")
                        if not behind:
                            continue
                        item = ("picture", 0)
                    if item == END:  # the service stops: the client reconnects (to another replica)
                        yield ServerSentEventMessage(comment="the service is stopping", retry=RECONNECT_MS)
                        return
                    if item[0] != "picture":
                        continue
                    try:
                        changes = await _changes(pool, tenant, seen, week_of(datetime.now(UTC)))
                    except CONNECTION_ERRORS as error:
                        log.warning("stream cannot read the picture now: %r", error)
                        behind = True
                        continue
                    behind = False
                    for change in changes:
                        seen = max(seen, change["position"])
                        data = json.dumps(change)
                        yield ServerSentEventMessage(event="picture", data=data, id=str(change["position"]))
        finally:
            slot.release()

    # The slot goes back when the stream ends; the background task gives it back too should the
    # generator never start (the client went away before the first chunk).
    return ServerSentEvent(events(seen), background=BackgroundTask(slot.release))
