"""Granskning (web app): the audit trail with filters and CSV; for auditors, who read what and the chain's verification.

Every route calls what its API twin calls (service/api/audit.py, reads.py, verification.py) and
is recorded in the read log as the same kind of read.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.response import Template

from domain.errors import Invalid
from projections.audit import queries as trail_queries
from service.api.audit import trail_table
from service.api.reads import reads_table
from service.audit import queries as read_log_queries
from service.audit.queries import ReadEntry
from service.audit.recording import recorded
from service.errors import NotFound
from service.pages.audit_filters import READ_FIELDS, TIME_HINT, TRAIL_FIELDS, Form, read_form
from service.pages.audit_words import CHAIN_PROBLEMS, EVENTS, READ_KINDS, local_time, summary_text
from service.pages.rendering import page
from service.store import verifications
from service.web.context import Context
from service.web.exports import Format
from service.web.query_params import UnknownQueryParameters

TRAIL_ROLES = ("auditor", "coordinator")
"""Who reads the trail of what was shared; who read what, and the chain, are the auditor's alone (as in the API)."""
PAGE_SIZE = 50
TITLE, READS = "Granskning", "Vem läste vad"
SUBPAGES = (
    ("Händelser", "/granskning"),
    ("Vem läste vad", "/granskning/lasningar"),
    ("Kedjans kontroll", "/granskning/kedjan"),
)
"""The auditor's pages of Granskning (a coordinator has the first only)."""


def _page(request: Request[Any, Any, Any], template: str, heading: str, form: Form | None, **values: Any) -> Template:
    """A page of Granskning; a form with refusals makes it 400 and `Fel: ` its title."""
    errors = form.errors if form else {}
    return page(
        request,
        template,
        title=f"Fel: {heading}" if errors else heading,
        heading=heading,
        form=form,
        errors=errors,
        time_hint=TIME_HINT,
        local_time=local_time,
        subpages=SUBPAGES if "auditor" in request.scope["state"]["identity"].roles else (),
        status_code=400 if errors else 200,
        **values,
    )


async def _entries(context: Context, form: Form, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """The trail's entries a valid form asks for, and the next page's cursor."""
    tenant, f = context.identity.tenant, form.filters
    async with context.readers.statement(tenant) as conn:  # one statement, as the API's
        return await trail_queries.audit(
            conn,
            tenant,
            since=f.since,
            until=f.until,
            org=f.org,
            actor=f.actor,
            area_id=f.area_id,
            after=f.after,
            limit=limit,
        )


async def _trail_view(
    request: Request[Any, Any, Any], context: Context, form: Form, entries: list[dict[str, Any]], cursor: str | None
) -> Template:
    """The trail's page: the form (its areas to choose from, retired ones too), then the entries."""
    areas = await context.catalogue.areas(context.identity.tenant)
    return _page(
        request,
        "audit.html",
        TITLE,
        form,
        entries=entries,
        next_cursor=cursor,
        area_names={str(a.id): a.name for a in areas},
        areas=[(str(a.id), f"{a.name} (avvecklat)" if a.retired else a.name) for a in areas],
        events=EVENTS,
        summary_text=summary_text,
    )


@get("/granskning", name="audit_trail", middleware=[recorded("audit")])
async def trail(request: Request[Any, Any, Any], context: Context) -> Template:
    """The audit trail, filtered by time, organisation, user and area, a page at a time in log order."""
    context.identity.require(*TRAIL_ROLES)
    form = read_form(request.query_params, TRAIL_FIELDS)
    entries, cursor = ([], None) if form.errors else await _entries(context, form, PAGE_SIZE)
    return await _trail_view(request, context, form, entries, cursor)


@get(["/granskning/csv", "/granskning/xlsx"], name="audit_trail_file", middleware=[recorded("audit")])
async def trail_download(request: Request[Any, Any, Any], context: Context) -> Response[Any]:
    """The same entries as a file, the API's own (`GET /api/v1/audit` as CSV or Excel), up to its page size."""
    context.identity.require(*TRAIL_ROLES)
    form = read_form(request.query_params, TRAIL_FIELDS)
    if form.errors:
        return await _trail_view(request, context, form, [], None)
    return trail_table(_format(request), *await _entries(context, form, trail_queries.MAX_LIMIT))


def _format(request: Request[Any, Any, Any]) -> Format:
    """The file a download's path ends in."""
    return "xlsx" if request.url.path.endswith("/xlsx") else "csv"


async def _reads(context: Context, form: Form, limit: int) -> tuple[list[ReadEntry], str | None]:
    """The reads a form asks for (none if it has refusals), and the next page's cursor."""
    if form.errors:
        return [], None
    f = form.filters
    async with context.pool.acquire() as conn:
        try:
            return await read_log_queries.reads(
                conn,
                context.identity.tenant,
                since=f.since,
                until=f.until,
                actor=f.actor,
                org=f.org,
                after=f.after,
                limit=limit,
            )
        except Invalid as refused:  # an `after` no page gave
            raise NotFound("no such page of the read log") from refused


@get("/granskning/lasningar", name="audit_reads", middleware=[recorded("audit_reads")])
async def reads(request: Request[Any, Any, Any], context: Context) -> Template:
    """Who read what: the read log, filtered by time, organisation and user (auditor)."""
    context.identity.require("auditor")
    form = read_form(request.query_params, READ_FIELDS)
    entries, cursor = await _reads(context, form, PAGE_SIZE)
    return _page(request, "audit_reads.html", READS, form, entries=entries, next_cursor=cursor, kinds=READ_KINDS)


@get(
    ["/granskning/lasningar/csv", "/granskning/lasningar/xlsx"],
    name="audit_reads_file",
    middleware=[recorded("audit_reads")],
)
async def reads_download(request: Request[Any, Any, Any], context: Context) -> Response[Any]:
    """The same reads as a file, the API's own (`GET /api/v1/audit/reads` as CSV or Excel), up to its page size."""
    context.identity.require("auditor")
    form = read_form(request.query_params, READ_FIELDS)
    entries, cursor = await _reads(context, form, read_log_queries.MAX_LIMIT)
    if form.errors:
        return _page(request, "audit_reads.html", READS, form, entries=[], next_cursor=None, kinds=READ_KINDS)
    return reads_table(_format(request), entries, cursor)


@get("/granskning/kedjan", name="audit_verify", middleware=[recorded("audit_verify")])
async def verify(request: Request[Any, Any, Any], context: Context) -> Template:
    """The hash chain verified as `GET /api/v1/audit/verify` does, told in words (auditor).

    `?from=start` verifies from the first event; otherwise from the last verified link on.
    """
    context.identity.require("auditor")
    unknown = sorted(set(request.query_params) - {"from"})
    if unknown:
        raise UnknownQueryParameters(unknown, ["from"])
    start = request.query_params.get("from", "last_verified")
    if start not in ("last_verified", "start"):
        raise NotFound("no such verification")
    async with context.pool.acquire() as conn:
        result = await verifications.verify(conn, context.identity.tenant, from_start=start == "start")
    return _page(
        request,
        "audit_verify.html",
        "Kedjans kontroll",
        None,
        result=result,
        from_start=start == "start",
        problem=CHAIN_PROBLEMS.get(result.problem or "", result.problem),
    )
