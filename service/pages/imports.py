"""Importera (web app): upload a spreadsheet of reports, see the dry run as a table, confirm – the API's import."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from domain.errors import Invalid
from service.imports.report_rows import Problem
from service.imports.reports import ImportOutcome, import_reports
from service.imports.tables import CSV, XLSX, Table, read_table
from service.pages.refusals import refusal
from service.pages.rendering import page
from service.pages.session import saw
from service.web.context import Context
from service.web.query_params import declared_query_only

ROLES = ("reporter", "coordinator")
SHOWN = 100
"""Rows without problems shown in the table (every row with a problem is shown)."""
COLUMN_WORDS = {
    "area": "området",
    "category": "kategorin",
    "occurred_at": "tidpunkten",
    "week": "veckan",
    "count": "antalet",
    "place": "platsen",
    "description": "beskrivningen",
    "source": "källan",
    "external_id": "id:t",
}
LOOKUPS = {
    "area": "Inget aktivt område i partnerskapet har den koden eller det namnet",
    "category": "Ingen kategori har den koden eller det svenska namnet",
    "occurred_at": "Ange tidpunkten som till exempel 2026-11-20 21:30, eller en vecka i kolumnen week",
    "count": "Ange antalet som ett heltal",
}
"""What the import checks itself (before the domain), in words a person can act on."""
STATUS_WORDS = {
    "would_create": "Blir en ny rapport",
    "created": "Sparad",
    "already_there": "Finns redan",
    "refused": "Kan inte importeras",
}


def swedish(problem: Problem) -> str:
    """A row's problem in Swedish: the domain's refusals as in every form, the import's own from LOOKUPS."""
    if problem.error is not None:
        return refusal(problem.error, COLUMN_WORDS.get(problem.column, problem.column))
    if problem.row == 1:
        return f"Kolumnen {problem.column} saknas eller är okänd: första raden ska namnge kolumnerna"
    return LOOKUPS.get(problem.column, f"Kontrollera {COLUMN_WORDS.get(problem.column, problem.column)}")


def _form(request: Request[Any, Any, Any], error: str | None = None, status_code: int = 200) -> Template:
    title = "Importera rapporter"
    errors = {"fil": error} if error else {}
    return page(
        request,
        "import.html",
        title=f"Fel: {title}" if error else title,
        heading=title,
        errors=errors,
        status_code=status_code,
    )


@get("/importera", guards=[declared_query_only])
async def import_form(request: Request[Any, Any, Any], context: Context) -> Template:
    """The upload form (reporters and coordinators, as the API's import)."""
    context.identity.require(*ROLES)
    return _form(request)


async def _run(context: Context, table: Table, dry_run: bool) -> ImportOutcome:
    tenant = context.identity.tenant
    return await import_reports(
        context.store,
        context.identity,
        table,
        areas=await context.catalogue.areas(tenant),
        categories=await context.catalogue.categories(tenant),
        now=context.now,
        dry_run=dry_run,
    )


def _outcome_page(request: Request[Any, Any, Any], table: Table, outcome: ImportOutcome, title: str) -> Template:
    problems: dict[int, list[str]] = {}
    for problem in outcome.problems:
        problems.setdefault(problem.row, []).append(swedish(problem))
    shown = [r for r in outcome.rows if r.row in problems] + [r for r in outcome.rows if r.row not in problems][:SHOWN]
    rows = [(r.row, STATUS_WORDS[r.status], problems.get(r.row, [])) for r in sorted(shown, key=lambda r: r.row)]
    counts = {status: outcome.count(status) for status in STATUS_WORDS}
    return page(
        request,
        "import_result.html",
        title=title,
        heading=title,
        rows=rows,
        counts=counts,
        hidden=len(outcome.rows) - len(shown),
        dry_run=outcome.dry_run,
        table=json.dumps({"columns": table.columns, "rows": table.rows}, ensure_ascii=False),
    )


@post("/importera", request_max_body_size=None)
async def preview(request: Request[Any, Any, Any], context: Context) -> Template:
    """The dry run of the uploaded file: each row as it would be stored, or why not; nothing is stored."""
    context.identity.require(*ROLES)
    limit = context.settings.import_max_bytes
    if int(request.headers.get("content-length") or limit + 1) > limit + 64 * 1024:  # the form's own fields too
        return _form(request, f"Filen är för stor: högst {limit // (1024 * 1024)} MB", status_code=413)
    upload = (await request.form()).get("fil")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _form(request, "Välj en fil att importera", status_code=422)
    media_type = XLSX if upload.filename.lower().endswith(".xlsx") else CSV
    try:
        table = read_table(await upload.read(), media_type, context.settings.import_max_rows)
        outcome = await _run(context, table, dry_run=True)
    except Invalid as error:
        return _form(request, _file_error(error), status_code=422)
    return _outcome_page(request, table, outcome, "Förhandsgranskning av importen")


def _file_error(error: Invalid) -> str:
    if error.field == "rows":
        return "Filen har för många rader för en import: dela upp den"
    if error.field.startswith("columns."):
        return f"Kolumnen {error.field.removeprefix('columns.')} saknas: första raden ska namnge kolumnerna"
    return "Filen kan inte läsas: spara den som CSV (UTF-8) eller som Excel-arbetsbok (.xlsx)"


@post("/importera/bekrafta", request_max_body_size=None)
async def confirm(request: Request[Any, Any, Any], context: Context) -> Template:
    """Store the rows the preview showed (checked again: the catalogue may have changed meanwhile)."""
    context.identity.require(*ROLES)
    limit = 2 * context.settings.import_max_bytes
    if int(request.headers.get("content-length") or limit + 1) > limit:
        return _form(request, "Importen är för stor", status_code=413)
    try:
        given = json.loads(str((await request.form()).get("tabell") or "{}"))
        rows = [(int(n), {str(k): str(v) for k, v in cells.items()}) for n, cells in given["rows"]]
        table = Table(tuple(str(c) for c in given["columns"]), rows[: context.settings.import_max_rows])
    except (ValueError, KeyError, TypeError, AttributeError):
        return _form(request, "Importen kunde inte läsas: ladda upp filen igen", status_code=422)
    try:
        outcome = await _run(context, table, dry_run=False)
    except Invalid as error:
        return _form(request, _file_error(error), status_code=422)
    saw(request, outcome.position or 0)
    return _outcome_page(request, table, outcome, "Importen är klar")
