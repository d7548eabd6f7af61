"""Rapportera (web app): the report form; a submit goes through the API's use case, then to the report's receipt."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from domain.errors import Invalid
from service import reporting
from service.errors import IdempotencyKeyMismatch
from service.idempotency import form_request
from service.pages import report_form
from service.pages.rendering import page
from service.pages.session import saw
from service.web.context import Context

TITLE = "Rapportera"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


async def _form(
    request: Request[Any, Any, Any], context: Context, values: dict[str, str], errors: dict[str, str], token: str
) -> Template:
    return page(
        request,
        "report_form.html",
        title=f"Fel: {TITLE}" if errors else TITLE,
        heading=TITLE,
        values=values,
        errors=errors,
        choices=await report_form.choices(context.catalogue, context.identity.tenant),
        token=token,
        status_code=400 if errors else 200,
    )


@get("/rapportera", name="report_form")
async def report_form_page(request: Request[Any, Any, Any], context: Context) -> Template:
    """The empty form (reporters), with a fresh idempotency token: a re-sent form stores one report."""
    context.identity.require("reporter")
    values = report_form.EMPTY | {"kalla": "own_observation"}
    return await _form(request, context, values, {}, uuid.uuid4().hex)


@post("/rapportera", status_code=303)
async def submit(request: Request[Any, Any, Any], context: Context) -> Response[Any]:
    """The API's use case (roles, privacy guard, idempotency); a refusal shows the form again, as typed."""
    context.identity.require("reporter")
    form = await request.form()
    values = report_form.typed(form)
    token = str(form.get("token") or "")
    token = token if _TOKEN.match(token) else uuid.uuid4().hex
    facts, errors = report_form.read(values, context.now)
    if not errors:
        try:
            once = form_request(f"page-{token}", "POST /rapportera", values)  # the token bound to what was typed
            result = await reporting.submit_report(
                context.store, context.areas, context.identity, context.now, facts, once
            )
        except Invalid as error:
            errors = report_form.refusal(error)
        except IdempotencyKeyMismatch:  # sent before with other values (back, changed, sent again): a new form
            token = uuid.uuid4().hex
            errors = {"omrade": "Formuläret skickades redan med andra uppgifter. Skicka det igen för en ny rapport"}
        else:
            saw(request, result.position)  # the kept pages show this reporter nothing older from now on
            return Redirect(f"/rapporter/{result.originator_id}?kvitto={result.position}", status_code=303)
    return await _form(request, context, values, errors, token)
