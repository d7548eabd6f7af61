"""Översikt (web app): every active area of the partnership at a glance, kept live by Server-Sent Events."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import ServerSentEvent, Template

from domain.weeks import week_of
from projections.picture import queries as picture_queries
from projections.tenancy import tenant_connection
from service.api.stream import picture_stream
from service.audit.recording import recorded
from service.pages.rendering import page
from service.web.context import Context
from service.web.query_params import declared_query_only

LEVELS = {"green": "Grön", "yellow": "Gul", "red": "Röd"}
"""A level in words (the colour only repeats it); no published assessment reads `Ingen bedömning`."""
NO_LEVEL = "Ingen bedömning"
TRENDS = {"up": "Ökar", "down": "Minskar", "flat": "Oförändrad"}


@get("/", name="overview", middleware=[recorded("overview")], guards=[declared_query_only])
async def overview(request: Request[Any, Any, Any], context: Context) -> Template:
    """The same query as the API's GET /api/v1/picture, as a table."""
    tenant = context.identity.tenant
    async with tenant_connection(context.pool, tenant) as conn:
        found = await picture_queries.overview(conn, tenant, week_of(context.now))
    return page(
        request, "overview.html", title="Översikt", overview=found, levels=LEVELS, no_level=NO_LEVEL, trends=TRENDS
    )


@get("/live", media_type="text/event-stream", middleware=[recorded("stream")], guards=[declared_query_only])
async def live(context: Context) -> ServerSentEvent:
    """The API's stream of picture changes, for a signed-in browser (the session instead of a bearer token)."""
    return await picture_stream(context)
