"""`POST /api/v1/reports/import` (HTTP edge): a spreadsheet of reports, checked row by row, stored once."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, post
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import QueryParameter

from domain.errors import Invalid
from service.imports.reports import ImportOutcome, import_reports
from service.imports.tables import CSV, FORMATS, XLSX, read_table
from service.web.auth import role
from service.web.context import Context
from service.web.problems import WRITE, problems

Status = Literal["created", "would_create", "already_there", "refused"]


class RowResult(msgspec.Struct):
    """What became of one row (its number as a spreadsheet shows it; the header is row 1)."""

    row: int
    status: Status
    report_id: str | None


class RowProblem(msgspec.Struct):
    """Why a row was not stored: its row, the column at fault and what to do about it."""

    row: int
    column: str
    message: str


class ImportResult(msgspec.Struct):
    """The counts, each row's result, every problem, and the position to read your writes from."""

    dry_run: bool
    rows: int
    created: int
    would_create: int
    already_there: int
    refused: int
    position: int | None
    results: list[RowResult]
    problems: list[RowProblem]


async def _body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The body, read as it comes; 413 as soon as it passes `limit` bytes (none of it is kept)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise RequestEntityTooLarge(f"the file is larger than LAGESBILD_IMPORT_MAX_BYTES ({limit} bytes)")
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise RequestEntityTooLarge(f"the file is larger than LAGESBILD_IMPORT_MAX_BYTES ({limit} bytes)")
        parts.append(part)
    return b"".join(parts)


def _result(outcome: ImportOutcome) -> ImportResult:
    return ImportResult(
        dry_run=outcome.dry_run,
        rows=len(outcome.rows),
        created=outcome.count("created"),
        would_create=outcome.count("would_create"),
        already_there=outcome.count("already_there"),
        refused=outcome.count("refused"),
        position=outcome.position,
        results=[RowResult(r.row, r.status, str(r.report_id) if r.report_id else None) for r in outcome.rows],  # type: ignore[arg-type]
        problems=[RowProblem(p.row, p.column, p.message) for p in outcome.problems],
    )


class ImportController(Controller):
    """`/api/v1/reports/import`."""

    path = "/reports/import"
    tags = ["reports"]  # noqa: RUF012

    @post(
        summary="Import reports from a spreadsheet, CSV or .xlsx (reporter, coordinator)",
        status_code=200,
        guards=[role("reporter", "coordinator")],
        responses=problems(*WRITE),
        request_max_body_size=None,  # bounded below by LAGESBILD_IMPORT_MAX_BYTES instead of the API's limit
    )
    async def import_reports(
        self,
        request: Request[Any, Any, Any],
        context: Context,
        dry_run: Annotated[bool, QueryParameter(description="check every row, store nothing")] = False,
    ) -> ImportResult:
        """Rows with problems are listed and not stored; a row stored before is not stored again.

        The body is `text/csv` (UTF-8, comma or semicolon) or an .xlsx workbook (its first sheet): a header
        row naming the columns (area, category, occurred_at or week, count, place, description, source,
        external_id), then a report a row. A row is the same as one stored before by its external_id, else by
        its content. 413 beyond LAGESBILD_IMPORT_MAX_BYTES, 422 beyond LAGESBILD_IMPORT_MAX_ROWS.
        """
        settings, identity = context.settings, context.identity
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type not in FORMATS:
            raise Invalid("Content-Type", f"send {CSV} or {XLSX}")
        body = await _body(request, settings.import_max_bytes)
        table = read_table(body, media_type, settings.import_max_rows)
        outcome = await import_reports(
            context.store,
            identity,
            table,
            areas=await context.catalogue.areas(identity.tenant),
            categories=await context.catalogue.categories(identity.tenant),
            now=context.now,
            dry_run=dry_run,
        )
        return _result(outcome)
