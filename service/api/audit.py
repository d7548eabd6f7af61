"""The audit trail for auditors and coordinators: who shared what, when (JSON or CSV)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter

from domain.limits import ORG_MAX
from projections.audit import queries as list_queries
from service.api.list_shapes import AuditPage
from service.api.params import NO_CONTROL, Accept, Cursor, MinPosition, check_period
from service.audit.recording import recorded
from service.web.auth import MAX_CLAIM, role
from service.web.context import Context
from service.web.exports import Format, OrSpreadsheet, table_response, wanted
from service.web.problems import PARAMS, problems
from service.web.projection_progress import read_your_writes

_CSV_COLUMNS = [
    "position",
    "recorded_at",
    "tenant",
    "actor",
    "org",
    "event_type",
    "aggregate_type",
    "aggregate_id",
    "version",
    "area_id",
    "summary",
]


def trail_table(fmt: Format, entries: list[dict[str, Any]], next_cursor: str | None) -> Response[Any]:
    """A page of the trail as `audit.csv` or `audit.xlsx`, the next cursor in `X-Next-Cursor` (the pages' too)."""
    rows = [
        [e[c] if c != "summary" else json.dumps(e[c], ensure_ascii=False, default=str) for c in _CSV_COLUMNS]
        for e in entries
    ]
    response = table_response(fmt, _CSV_COLUMNS, rows, "audit")
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
    return response


class AuditController(Controller):
    """`/api/v1/audit`."""

    path = "/audit"
    tags = ["audit"]  # noqa: RUF012

    @get(
        summary="The audit trail (auditor, coordinator)",
        guards=[role("auditor", "coordinator")],
        middleware=[recorded("audit")],
        responses=problems(*PARAMS, 403),
        operation_class=OrSpreadsheet,
    )
    async def audit(
        self,
        context: Context,
        min_position: MinPosition,
        accept: Accept,
        since: Annotated[datetime | None, QueryParameter(name="from", required=False)] = None,
        until: Annotated[datetime | None, QueryParameter(name="to", required=False)] = None,
        org: Annotated[str | None, QueryParameter(max_length=ORG_MAX, pattern=NO_CONTROL, required=False)] = None,
        actor: Annotated[str | None, QueryParameter(max_length=MAX_CLAIM, pattern=NO_CONTROL, required=False)] = None,
        area_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        stream_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        after: Cursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=list_queries.MAX_LIMIT)] = 100,
    ) -> Response[AuditPage]:
        """One entry per event, in log order: position, time, actor, organisation, type, aggregate, summary."""
        check_period(since, until)
        await read_your_writes(context.tracker, "audit", min_position)
        tenant = context.identity.tenant
        async with context.readers.statement(tenant) as conn:  # one statement
            entries, next_cursor = await list_queries.audit(
                conn,
                tenant,
                since=since,
                until=until,
                org=org,
                actor=actor,
                area_id=area_id,
                stream_id=stream_id,
                after=after,
                limit=limit,
            )
        if (fmt := wanted(accept)) != "json":
            return trail_table(fmt, entries, next_cursor)
        return Response(msgspec.convert({"entries": entries, "next_cursor": next_cursor}, AuditPage))
