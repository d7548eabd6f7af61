"""Insatser (web app): the partnership's actions with status and latest effect; coordinators move them on."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.action import EFFECTS, TRANSITIONS, Action
from domain.errors import Invalid, InvalidTransition
from domain.limits import NOTE_MAX
from projections.picture import lists as list_queries
from projections.tenancy import tenant_connection
from service import commands
from service.api.params import MinPosition
from service.audit.recording import recorded
from service.errors import NotFound, StaleVersion
from service.pages.refusals import refusal, text_error
from service.pages.rendering import page
from service.pages.session import saw
from service.web.context import Context
from service.web.projection_progress import read_your_writes
from service.web.query_params import declared_query_only
from service.words import EFFECT_WORDS, STATUSES, category_names

MOVES = (("started", "Påbörja"), ("completed", "Avsluta"), ("cancelled", "Ställ in"))
"""The buttons that move an action on: the status each asks for, and its label."""
STALE = "Insatsen har ändrats av någon annan sedan du öppnade sidan. Se hur den ser ut nu och försök igen."
LIST_LIMIT = 100


async def area_names(context: Context) -> dict[str, str]:
    """Area id -> name, retired areas too (an action keeps its area)."""
    return {str(area.id): area.name for area in await context.catalogue.areas(context.identity.tenant)}


@get("/insatser", name="actions", middleware=[recorded("actions")], guards=[declared_query_only])
async def actions(request: Request[Any, Any, Any], context: Context, min_position: MinPosition) -> Template:
    """The newest actions, as the API's GET /api/v1/actions lists them."""
    await read_your_writes(context.tracker, "picture", min_position)
    tenant = context.identity.tenant
    async with context.readers.statement(tenant) as conn:
        found, more = await list_queries.actions(conn, tenant, limit=LIST_LIMIT)
    return page(
        request,
        "actions.html",
        title="Insatser",
        actions=found,
        more=more is not None,
        areas=await area_names(context),
        statuses=STATUSES,
        effects=EFFECT_WORDS,
        coordinator="coordinator" in context.identity.roles,
    )


async def _detail_page(
    request: Request[Any, Any, Any],
    context: Context,
    action_id: UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    tenant = context.identity.tenant
    async with tenant_connection(context.pool, tenant) as conn:
        found = await list_queries.action_detail(conn, tenant, action_id)
    if found is None:
        raise NotFound("no such action")
    moves = [(status, label) for status, label in MOVES if status in TRANSITIONS.get(found["status"], ())]
    title = found["title"]
    return page(
        request,
        "action.html",
        title=f"Fel: {title}" if errors else title,
        heading=title,
        action=found,
        areas=await area_names(context),
        categories=await category_names(context),
        statuses=STATUSES,
        effects=EFFECT_WORDS,
        moves=moves,
        effect_choices=[(e, EFFECT_WORDS[e]) for e in EFFECTS],
        values=values or {"effect": "", "note": ""},
        errors=errors or {},
        coordinator="coordinator" in context.identity.roles,
        can_follow_up=found["status"] in ("started", "completed"),
        status_code=status_code,
    )


@get("/insatser/{action_id:uuid}", middleware=[recorded("action")], guards=[declared_query_only])
async def action(
    request: Request[Any, Any, Any], context: Context, action_id: FromPath[UUID], min_position: MinPosition
) -> Template:
    """One action: its linked reports and categories, its follow-ups, and (coordinators) what can be done next."""
    await read_your_writes(context.tracker, "picture", min_position)
    return await _detail_page(request, context, action_id)


def _version(form: Any) -> int:
    try:
        return int(str(form.get("version") or ""))
    except ValueError:
        return -1  # no version the action can be at: refused as stale


@post("/insatser/{action_id:uuid}/status", status_code=303)
async def move_action(request: Request[Any, Any, Any], context: Context, action_id: FromPath[UUID]) -> Response[Any]:
    """Påbörja, Avsluta, Ställ in: the API's status change, at the version the page showed."""
    context.identity.require("coordinator")
    form = await request.form()
    actor, status = context.identity.actor, str(form.get("status") or "")
    try:
        result = await commands.change(
            context.store,
            Action,
            action_id,
            actor.tenant,
            _version(form),
            lambda a: a.change_status(actor, status),
        )
    except StaleVersion:
        return await _detail_page(request, context, action_id, errors={"status": STALE}, status_code=409)
    except (Invalid, InvalidTransition):
        message = "Insatsen kan inte flyttas dit från sin nuvarande status."
        return await _detail_page(request, context, action_id, errors={"status": message}, status_code=409)
    saw(request, result.position)
    return Redirect(f"/insatser/{action_id}?min_position={result.position}", status_code=303)


@post("/insatser/{action_id:uuid}/uppfoljningar", status_code=303)
async def follow_up(request: Request[Any, Any, Any], context: Context, action_id: FromPath[UUID]) -> Response[Any]:
    """Record the effect seen so far and a note (started or completed actions)."""
    context.identity.require("coordinator")
    form = await request.form()
    values = {"effect": str(form.get("effect") or ""), "note": str(form.get("note") or "")}
    errors = {} if values["effect"] in EFFECTS else {"effekt": "Välj vilken effekt insatsen har haft"}
    if message := text_error(values["note"], "anteckning", NOTE_MAX):
        errors["anteckning"] = message
    status_code = 400
    if not errors:
        actor = context.identity.actor
        try:
            result = await commands.change(
                context.store,
                Action,
                action_id,
                actor.tenant,
                _version(form),
                lambda a: a.follow_up(actor, values["effect"], values["note"]),
            )
            saw(request, result.position)
            return Redirect(f"/insatser/{action_id}?min_position={result.position}", status_code=303)
        except StaleVersion:
            errors["anteckning"], status_code = STALE, 409
        except InvalidTransition:
            errors["effekt"] = "Bara en insats som har påbörjats kan följas upp."
        except Invalid as error:
            errors["effekt" if error.field == "effect" else "anteckning"] = refusal(error, "anteckningen")
    return await _detail_page(request, context, action_id, values=values, errors=errors, status_code=status_code)
