"""A report's own page (web app): the report read from the log, its receipt, and correcting or retracting it."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from domain.errors import Invalid, InvalidTransition
from domain.report import Report
from domain.weeks import SWEDEN
from service import commands, reporting
from service.audit.recording import recorded
from service.errors import Forbidden, StaleVersion
from service.pages import report_form
from service.pages.rendering import page
from service.pages.session import saw
from service.web.context import Context
from service.web.query_params import declared_query_only

NOTICES = {
    "rattad": "Rättelsen är sparad.",
    "aterkallad": "Rapporten är tillbakadragen. Den finns kvar i historiken men räknas inte längre.",
}
STALE = (
    "Någon annan har ändrat rapporten sedan du öppnade sidan. Se hur den ser ut nu ovan; det du skrev finns kvar."
    " Skicka igen om ändringen fortfarande behövs"
)
CORRECTED = {
    "omrade": "area_id",
    "kategori": "category",
    "antal": "count",
    "plats": "place",
    "beskrivning": "description",
    "kalla": "source",
}
"""The correction form's fields -> the facts they change (Tidpunkt and Vecka change together)."""
RETRACT_REASON = "aterkallelse-anledning"


async def _show(
    request: Request[Any, Any, Any],
    context: Context,
    report: Report,
    *,
    values: dict[str, str] | None = None,
    retract_reason: str = "",
    errors: dict[str, str] | None = None,
    receipt: int | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Template:
    choices = await report_form.choices(context.catalogue, context.identity.tenant)
    names = choices.names
    title = f"Rapport: {names.get(report.category, report.category)}, {names.get(str(report.area_id), 'okänt område')}"
    occurred = report.occurred_at and report_form.values_of(report)["tidpunkt"]
    allowed = reporting.may_change(context.identity, report)
    return page(
        request,
        "report.html",
        title=f"Fel: {title}" if errors else title,
        heading=title,
        report=report,
        names=names,
        occurred=occurred,
        stored_at=report.created_on.astimezone(SWEDEN).strftime("%Y-%m-%d %H:%M:%S"),
        receipt=receipt,
        notice=notice,
        may_correct=allowed and not (report.retracted or report.redacted),
        may_retract=allowed and not report.retracted,
        values=values or report_form.values_of(report),
        retract_reason=retract_reason,
        errors=errors or {},
        choices=choices,
        status_code=status_code,
    )


async def _report(context: Context, report_id: UUID) -> Report:
    return await commands.load_in_tenant(context.store, Report, report_id, context.identity.tenant)


@get("/rapporter/{report_id:uuid}", name="report_page", middleware=[recorded("report")], guards=[declared_query_only])
async def report_page(
    request: Request[Any, Any, Any],
    context: Context,
    report_id: FromPath[UUID],
    kvitto: Annotated[int | None, QueryParameter(ge=1, required=False)] = None,
    klart: Annotated[Literal["rattad", "aterkallad"] | None, QueryParameter(required=False)] = None,
) -> Template:
    """Read from the event log itself (as the API's GET /api/v1/reports/{id}): a submit is seen at once."""
    report = await _report(context, report_id)
    return await _show(request, context, report, receipt=kvitto, notice=NOTICES.get(klart or ""))


def _version(form: Any) -> int:
    text = str(form.get("version") or "")
    return int(text) if text.isdigit() and len(text) < 18 else 0


def _changes(typed: dict[str, str], facts: dict[str, Any], current: dict[str, str]) -> dict[str, Any]:
    changes = {CORRECTED[f]: facts[CORRECTED[f]] for f in CORRECTED if typed[f] != current[f]}
    if (typed["tidpunkt"], typed["vecka"]) != (current["tidpunkt"], current["vecka"]):
        changes["occurred_at"], changes["week"] = facts["occurred_at"], facts["week"]
    return changes


def _done(report_id: UUID, what: str) -> Redirect:
    return Redirect(f"/rapporter/{report_id}?klart={what}", status_code=303)


@post("/rapporter/{report_id:uuid}/rattelse", status_code=303)
async def correct(request: Request[Any, Any, Any], context: Context, report_id: FromPath[UUID]) -> Response[Any]:
    """The API's correction: the version the form was made from must still hold (If-Match), else nothing is stored."""
    identity = context.identity
    identity.require("reporter", "coordinator")
    form = await request.form()
    typed = report_form.typed(form)
    report = await _report(context, report_id)
    if not reporting.may_change(identity, report):
        raise Forbidden("only the reporting organisation or a coordinator may correct it")
    facts, errors = report_form.read(typed, context.now, reason=True)
    changes = {} if errors else _changes(typed, facts, report_form.values_of(report))
    if not errors and not changes:
        if _version(form) != report.version:
            return _done(report_id, "rattad")  # it says what was typed already: the same correction sent again
        errors = {"omrade": "Inget skulle ändras: ändra minst en uppgift, eller låt rapporten vara"}
    status = 400
    if not errors:
        try:
            result = await reporting.correct_report(
                context.store,
                context.areas,
                identity,
                context.now,
                report_id,
                changes,
                typed["anledning"],
                _version(form),
            )
            saw(request, result.position)
            return _done(report_id, "rattad")
        except Invalid as error:
            errors = report_form.refusal(error)
        except InvalidTransition:
            errors, status = {"anledning": "Rapporten kan inte längre rättas (den är tillbakadragen eller maskad)"}, 409
        except StaleVersion:
            report = await _report(context, report_id)
            if not _changes(typed, facts, report_form.values_of(report)):
                return _done(report_id, "rattad")  # the same correction again (a double click): it is stored once
            errors, status = {"rapporten": STALE}, 409
    return await _show(request, context, report, values=typed, errors=errors, status_code=status)


@post("/rapporter/{report_id:uuid}/aterkallelse", status_code=303)
async def retract(request: Request[Any, Any, Any], context: Context, report_id: FromPath[UUID]) -> Response[Any]:
    """The API's retraction, with a reason and the version the page showed."""
    identity = context.identity
    identity.require("reporter", "coordinator")
    if not reporting.may_change(identity, await _report(context, report_id)):
        raise Forbidden("only the reporting organisation or a coordinator may retract it")
    form = await request.form()
    reason = str(form.get("anledning") or "").strip()
    errors, status = report_form.reason_errors(reason, RETRACT_REASON), 400
    if not errors:
        try:
            result = await reporting.retract_report(context.store, identity, report_id, reason, _version(form))
            saw(request, result.position)
            return _done(report_id, "aterkallad")
        except Invalid as error:
            errors = report_form.refusal(error, RETRACT_REASON)
        except (InvalidTransition, StaleVersion):
            if (await _report(context, report_id)).retracted:
                return _done(report_id, "aterkallad")  # retracted already (a double click, or someone else)
            errors, status = {"rapporten": STALE}, 409
    report = await _report(context, report_id)
    return await _show(request, context, report, retract_reason=reason, errors=errors, status_code=status)
