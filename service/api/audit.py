"""The audit trail for auditors and coordinators: who shared what, when (JSON or CSV)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get
from litestar.params import HeaderParameter, QueryParameter

from projections.audit import queries as list_queries
from service.api.common import (
    NO_CONTROL,
    Cursor,
    Identity,
    MinPosition,
    Readers,
    Tracker,
    check_period,
    csv_response,
    read_your_writes,
    wants_csv,
)
from service.api.errors import PARAMS, OrCsv, problems
from service.api.list_shapes import AuditPage
from service.auth import role
from service.read_recording import recorded

Accept = Annotated[str | None, HeaderParameter(name="Accept", required=False)]
_CSV_COLUMNS = [
    "position", "recorded_at", "tenant", "actor", "org", "event_type", "aggregate_type", "aggregate_id",
    "version", "area_id", "summary",
]  # fmt: skip


class AuditController(Controller):
    """`/api/v1/audit`."""

    path = "/audit"
    tags = ["audit"]  # noqa: RUF012

    @get(
        summary="The audit trail (auditor, coordinator)",
        guards=[role("auditor", "coordinator")],
        middleware=[recorded("audit")],
        responses=problems(*PARAMS, 403),
        operation_class=OrCsv,
    )
    async def audit(
        self,
        identity: Identity,
        readers: Readers,
        tracker: Tracker,
        min_position: MinPosition,
        accept: Accept,
        since: Annotated[datetime | None, QueryParameter(name="from", required=False)] = None,
        until: Annotated[datetime | None, QueryParameter(name="to", required=False)] = None,
        org: Annotated[str | None, QueryParameter(max_length=64, pattern=NO_CONTROL, required=False)] = None,
        actor: Annotated[str | None, QueryParameter(max_length=200, pattern=NO_CONTROL, required=False)] = None,
        area_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        stream_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        after: Cursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=list_queries.MAX_LIMIT)] = 100,
    ) -> Response[AuditPage]:
        """One entry per event, in log order: position, time, actor, organisation, type, aggregate, summary."""
        check_period(since, until)
        await read_your_writes(tracker, "audit", min_position)
        async with readers.statement(identity.tenant) as conn:  # one statement
            entries, next_cursor = await list_queries.audit(
                conn, identity.tenant, since=since, until=until, org=org, actor=actor, area_id=area_id,
                stream_id=stream_id, after=after, limit=limit,
            )  # fmt: skip
        if wants_csv(accept):
            rows = [
                [e[c] if c != "summary" else json.dumps(e[c], ensure_ascii=False, default=str) for c in _CSV_COLUMNS]
                for e in entries
            ]
            response = csv_response(_CSV_COLUMNS, rows, "audit.csv")
            if next_cursor:
                response.headers["X-Next-Cursor"] = next_cursor
            return response
        return Response(msgspec.convert({"entries": entries, "next_cursor": next_cursor}, AuditPage))
