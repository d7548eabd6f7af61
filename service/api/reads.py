"""Who read what, for auditors: the read log of the caller's tenant (JSON or CSV)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter

from domain.limits import ORG_MAX
from service.api.params import NO_CONTROL, Accept, Cursor, check_period
from service.audit import queries as read_log_queries
from service.audit.queries import ReadEntry
from service.audit.recording import Kind, recorded
from service.web.auth import MAX_CLAIM, role
from service.web.context import Context
from service.web.exports import Format, OrSpreadsheet, table_response, wanted
from service.web.problems import PARAMS, problems

_CSV_COLUMNS = [
    "id",
    "read_at",
    "tenant",
    "actor",
    "org",
    "roles",
    "resource",
    "resource_id",
    "route",
    "status",
    "path_params",
    "query_params",
]


class ReadPage(msgspec.Struct):
    """A page of the read log; `next_cursor` is the `after` of the next page (null on the last)."""

    reads: list[ReadEntry]
    next_cursor: str | None


def _csv_cell(entry: ReadEntry, column: str) -> Any:
    value = getattr(entry, column)
    if column == "roles":
        return ";".join(value)
    if column in ("path_params", "query_params"):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def reads_table(fmt: Format, entries: list[ReadEntry], next_cursor: str | None) -> Response[Any]:
    """A page of the read log as `reads.csv` or `reads.xlsx`, the next cursor in `X-Next-Cursor` (the pages' too)."""
    rows = [[_csv_cell(e, c) for c in _CSV_COLUMNS] for e in entries]
    response = table_response(fmt, _CSV_COLUMNS, rows, "reads")
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
    return response


class ReadLogController(Controller):
    """`/api/v1/audit/reads`."""

    path = "/audit/reads"
    tags = ["audit"]  # noqa: RUF012

    # Auditors only: coordinators see the audit trail of what was shared, but who read what
    # is about colleagues' behaviour, which is the auditor's remit (and a coordinator's own
    # reads are in it).
    @get(
        summary="Who read what (auditor)",
        guards=[role("auditor")],
        middleware=[recorded("audit_reads")],
        responses=problems(*PARAMS, 403),
        operation_class=OrSpreadsheet,
    )
    async def reads(
        self,
        context: Context,
        accept: Accept,
        since: Annotated[datetime | None, QueryParameter(name="from", required=False)] = None,
        until: Annotated[datetime | None, QueryParameter(name="to", required=False)] = None,
        actor: Annotated[str | None, QueryParameter(max_length=MAX_CLAIM, pattern=NO_CONTROL, required=False)] = None,
        org: Annotated[str | None, QueryParameter(max_length=ORG_MAX, pattern=NO_CONTROL, required=False)] = None,
        resource: Annotated[Kind | None, QueryParameter(required=False)] = None,
        resource_id: Annotated[str | None, QueryParameter(max_length=100, pattern=NO_CONTROL, required=False)] = None,
        after: Cursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=read_log_queries.MAX_LIMIT)] = 100,
    ) -> Response[Any]:
        """Reads of reports, actions, pictures, the lägesbild, the audit trail and this log, oldest first.

        Each: who (actor, org, roles), what (resource, resource_id, route, path and query
        parameters), when (read_at), and the status (2xx read; 403 or 404 refused). In the order of
        reading; a record is written a fraction of a second after its read (longer while the
        database is away), so to follow the log, ask `to` a few seconds ago.
        """
        check_period(since, until)
        async with context.pool.acquire() as conn:
            entries, next_cursor = await read_log_queries.reads(
                conn,
                context.identity.tenant,
                since=since,
                until=until,
                actor=actor,
                org=org,
                resource=resource,
                resource_id=resource_id,
                after=after,
                limit=limit,
            )
        if (fmt := wanted(accept)) == "json":
            return Response(ReadPage(entries, next_cursor))
        return reads_table(fmt, entries, next_cursor)
