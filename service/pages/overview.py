"""Översikt (web app): every active area of the partnership at a glance, kept live by Server-Sent Events."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import ServerSentEvent, Template
from markupsafe import Markup

from domain.weeks import week_of
from service import maps
from service.api.params import After, LastEventId
from service.api.picture_shapes import Overview
from service.api.stream import picture_stream
from service.audit.recording import recorded
from service.pages.imports import ROLES as IMPORT_ROLES
from service.pages.maps import Shape, area_map
from service.pages.rendering import fragment, page
from service.pages.session import kept_for_reader
from service.web.context import Context
from service.web.query_params import declared_query_only
from service.words import LEVELS, NO_LEVEL, TRENDS, level_name

TITLE = "Översikt"


@get("/", name="overview", middleware=[recorded("overview")], guards=[declared_query_only])
async def overview(request: Request[Any, Any, Any], context: Context) -> Template:
    """The same query as the API's GET /api/v1/picture, as a map of the areas with a boundary and as a table.

    Its content is the same for every reader of the partnership who may import or may not: computed
    once for all of them (service/web/read_cache.py); the live update carries on from its position.
    """
    tenant, week = context.identity.tenant, week_of(context.now)
    may_import = bool(context.identity.roles.intersection(IMPORT_ROLES))  # the link to the import

    async def content() -> Markup:
        async with context.readers.statement(tenant) as conn:  # one statement
            found, features = await maps.picture_features(conn, tenant, week)
        shown = msgspec.convert(found, Overview)  # attributes for the template: cheaper to look up than dict keys
        return await fragment(
            "overview_content.html", title=TITLE, overview=shown, levels=LEVELS, no_level=NO_LEVEL, trends=TRENDS,
            area_map=overview_map(features, len(found["areas"])), may_import=may_import,
        )  # fmt: skip

    shown = await kept_for_reader(request, context, ("overview", tenant, week, may_import), ("picture",), content)
    return page(request, "page.html", title=TITLE, content=shown, scripts=["/static/live.js"])


def overview_map(features: list[dict[str, Any]], areas: int) -> Markup | None:
    """The areas with a boundary on a map, each labelled with its name and level in words; None if none has one."""
    if not features:
        return None
    shapes, said = [], []
    for feature in features:
        p = feature["properties"]
        level = level_name(p["level"])
        label, tooltip = f"{p['name']}\n{level}", f"{p['name']}: {level}"
        shapes.append(Shape(feature["geometry"], p["level"] or "none", label, tooltip, area_id=p["id"]))
        said.append(f"{p['name']} {level.lower()}")
    missing = areas - len(features)
    description = f"Nivå per område: {', '.join(said)}."
    if missing:
        description += f" {missing} område{'n' if missing > 1 else ''} saknar gräns och visas bara i tabellen."
    return area_map(
        "karta", "Karta över områdena och deras nivå", description + " Tabellen nedan visar detsamma.", shapes
    )


@get("/live", media_type="text/event-stream", middleware=[recorded("stream")], guards=[declared_query_only])
async def live(context: Context, after: After = None, last_event_id: LastEventId = None) -> ServerSentEvent:
    """The API's stream of picture changes, for a signed-in browser (the session instead of a bearer token).

    Översikt asks for the changes after the position its table was computed at.
    """
    return await picture_stream(context, after, last_event_id)
