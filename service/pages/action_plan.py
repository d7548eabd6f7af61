"""Planera insats (web app): a coordinator plans an action against reports and categories, submitted once."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from domain.action import Action
from domain.errors import Invalid
from domain.limits import ACTION_DESCRIPTION_MAX, ORG_MAX, TITLE_MAX
from projections.picture import lists as list_queries
from service import commands
from service.audit.recording import recorded
from service.errors import IdempotencyKeyMismatch
from service.idempotency import form_request
from service.pages.refusals import refusal, text_error
from service.pages.rendering import page
from service.pages.session import saw
from service.references import check_area, check_category, check_reports
from service.web.context import Context
from service.web.query_params import declared_query_only

REPORT_CHOICES = 30
"""How many of the newest reports the form offers to link."""
FIELDS = {
    "area_id": ("omrade", "området"),
    "title": ("titel", "titeln"),
    "responsible_org": ("ansvarig", "ansvarig organisation"),
    "description": ("beskrivning", "beskrivningen"),
    "starts_on": ("startdatum", "startdatumet"),
    "ends_on": ("slutdatum", "slutdatumet"),
    "report_ids": ("rapporter", "rapporterna"),
    "categories": ("kategorier", "kategorierna"),
}
"""The use case's field -> the form's field id and its name in words (the form's order)."""
TOKEN_MAX = 100


async def _form(
    request: Request[Any, Any, Any],
    context: Context,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    tenant = context.identity.tenant
    areas = [a for a in await context.catalogue.areas(tenant) if not a.retired]
    async with context.readers.statement(tenant) as conn:
        reports, _ = await list_queries.reports(conn, tenant, status="active", limit=REPORT_CHOICES)
    names = {str(a.id): a.name for a in areas}
    categories = [(c.code, c.name_sv) for c in await context.catalogue.categories(tenant)]
    category = dict(categories)
    report_choices = [
        (
            r["id"],
            f"{category.get(r['category'], r['category'])}, {names.get(r['area_id'], 'annat område')}, "
            f"vecka {r['week']}, {r['count']} st",
        )
        for r in reports
    ]
    title = "Planera insats"
    return page(
        request,
        "action_plan.html",
        title=f"Fel: {title}" if errors else title,
        heading=title,
        values=values,
        errors=errors or {},
        area_choices=[(str(a.id), a.name) for a in areas],
        report_choices=report_choices,
        category_choices=categories,
        status_code=status_code,
    )


@get("/insatser/ny", middleware=[recorded("reports")], guards=[declared_query_only])
async def plan_form(request: Request[Any, Any, Any], context: Context) -> Template:
    """The empty form, with a fresh token that makes its submit idempotent (a double-click plans one action)."""
    context.identity.require("coordinator")
    values = {
        "area_id": "",
        "title": "",
        "responsible_org": context.identity.org,
        "description": "",
        "starts_on": "",
        "ends_on": "",
        "report_ids": [],
        "categories": [],
        "token": secrets.token_urlsafe(24),
    }
    return await _form(request, context, values)


def _date(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[FIELDS[field][0]] = f"Ange {FIELDS[field][1]} som ett datum, till exempel 2026-12-07"
        return None


def _checked(values: dict[str, Any], errors: dict[str, str]) -> tuple[UUID | None, date | None, date | None]:
    """Swedish messages for what the form can check by itself; the use case checks the rest."""
    area_id = None
    try:
        area_id = UUID(values["area_id"])
    except ValueError:
        errors["omrade"] = "Välj område"
    for field, max_length in (("title", TITLE_MAX), ("responsible_org", ORG_MAX)):
        if message := text_error(values[field], FIELDS[field][1], max_length):
            errors[FIELDS[field][0]] = message
    if message := text_error(values["description"], "beskrivningen", ACTION_DESCRIPTION_MAX, required=False):
        errors["beskrivning"] = message
    starts_on, ends_on = _date(values["starts_on"], "starts_on", errors), _date(values["ends_on"], "ends_on", errors)
    return area_id, starts_on, ends_on


@post("/insatser", status_code=303)
async def plan(request: Request[Any, Any, Any], context: Context) -> Response[Any]:
    """The API's plan_action: area, reports and categories checked, then created with the form's token."""
    identity = context.identity
    identity.require("coordinator")
    form = await request.form()
    values: dict[str, Any] = {key: str(form.get(key) or "").strip() for key in ("area_id", "title", "token")}
    values |= {key: str(form.get(key) or "").strip() for key in ("responsible_org", "description")}
    values |= {key: str(form.get(key) or "").strip() for key in ("starts_on", "ends_on")}
    values |= {key: [str(v) for v in form.getall(key, [])] for key in ("report_ids", "categories")}
    errors: dict[str, str] = {}
    area_id, starts_on, ends_on = _checked(values, errors)
    try:
        report_ids = [UUID(r) for r in values["report_ids"]]
    except ValueError:
        errors["rapporter"], report_ids = "Välj bland rapporterna i listan", []
    if errors or area_id is None:
        return await _form(request, context, values, _ordered(errors), 400)
    try:
        await check_area(context.areas, area_id, identity.tenant, "area_id", retired_too=True)
        await check_reports(context.store, report_ids, identity.tenant, "report_ids")
        for code in values["categories"]:
            await check_category(context.store, code, identity.tenant, "categories")
        action = Action.plan(
            identity.actor,
            area_id=area_id,
            title=values["title"],
            responsible_org=values["responsible_org"],
            description=values["description"] or None,
            starts_on=starts_on,
            ends_on=ends_on,
            report_ids=report_ids,
            categories=values["categories"],
        )
    except Invalid as error:
        field_id, what = FIELDS.get(error.field.split("[")[0], ("titel", "titeln"))
        message = refusal(error, what)
        if error.field == "ends_on":
            message = "Slutdatumet ligger före startdatumet"
        elif field_id in ("omrade", "rapporter", "kategorier"):
            message = f"Välj bland {what} i listan"
        return await _form(request, context, values, {field_id: message}, 400)
    token = values["token"] if 0 < len(values["token"]) <= TOKEN_MAX and values["token"].isprintable() else None
    # The token is bound to what the form says, as the API's Idempotency-Key is to its body.
    asked = {k: v for k, v in values.items() if k != "token"}
    request_once = form_request(f"page-plan/{token}", "POST /insatser", asked) if token else None
    try:
        result = await commands.create(context.store, action, identity, request_once)
    except IdempotencyKeyMismatch:  # sent before with other values (back, changed, sent again): a new form
        values["token"] = secrets.token_urlsafe(24)
        message = "Formuläret skickades redan med andra uppgifter. Skicka det igen för att planera en ny insats"
        return await _form(request, context, values, {"titel": message}, 400)
    saw(request, result.position)
    return Redirect(f"/insatser/{result.originator_id}?min_position={result.position}", status_code=303)


def _ordered(errors: dict[str, str]) -> dict[str, str]:
    """The errors in the form's order (the order the error summary lists them in)."""
    order = [field_id for field_id, _ in FIELDS.values()]
    return dict(sorted(errors.items(), key=lambda item: order.index(item[0])))
