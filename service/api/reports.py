"""Situation reports: submit (reporter), correct (own organisation or coordinator), retract, redact, list, read."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET

from domain.limits import CATEGORY_CODE_MAX, ORG_MAX
from domain.location import Location, coarsen
from domain.report import Report
from projections.picture import lists as list_queries
from service import commands, reporting
from service.api.list_shapes import REPORT_COLUMNS, ReportPage, report_row
from service.api.list_shapes import Location as LocationOut
from service.api.params import NO_CONTROL, Accept, Cursor, IdempotencyKey, IfMatch, MinPosition, WeekInQuery
from service.api.report_shapes import CorrectionIn, LocationIn, RedactionIn, ReportDetail, ReportIn, RetractionIn
from service.api.writes import Written, expected_version, idempotent, written
from service.audit.recording import recorded
from service.web.auth import authenticated, role
from service.web.context import Context
from service.web.exports import OrSpreadsheet, table_response, wanted
from service.web.problems import CHANGE, PARAMS, WRITE, problems
from service.web.projection_progress import read_your_writes


def _location(location: LocationIn | None, cell_m: int, field: str) -> Location | None:
    return coarsen(location.lat, location.lon, cell_m, field) if location else None


class ReportController(Controller):
    """`/api/v1/reports`."""

    path = "/reports"
    tags = ["reports"]  # noqa: RUF012

    @post(
        summary="Submit a situation report (reporter)",
        status_code=201,
        guards=[role("reporter")],
        responses=problems(*WRITE),
    )
    async def submit_report(
        self, data: JSONBody[ReportIn], context: Context, idempotency_key: IdempotencyKey
    ) -> Response[Written]:
        """Free text with personal data, an unknown area or category, or a future time: 422."""
        facts = {f: getattr(data, f) for f in data.__struct_fields__}
        facts["location"] = _location(data.location, context.settings.location_cell_m, "location")
        result = await reporting.submit_report(
            context.store,
            context.areas,
            context.identity,
            context.now,
            facts,
            idempotent(idempotency_key, "POST /api/v1/reports", data),
        )
        return written(result, 201, f"/api/v1/reports/{result.originator_id}")

    @get(
        summary="Reports, newest first (keyset pages; CSV or Excel by Accept)",
        guards=[authenticated],
        responses=problems(*PARAMS),
        middleware=[recorded("reports")],
        operation_class=OrSpreadsheet,
    )
    async def list_reports(
        self,
        context: Context,
        min_position: MinPosition,
        accept: Accept,
        area_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        week: WeekInQuery = None,
        category: Annotated[
            str | None, QueryParameter(max_length=CATEGORY_CODE_MAX, pattern=NO_CONTROL, required=False)
        ] = None,
        org: Annotated[str | None, QueryParameter(max_length=ORG_MAX, pattern=NO_CONTROL, required=False)] = None,
        status: Annotated[Literal["active", "retracted"] | None, QueryParameter(required=False)] = None,
        cursor: Cursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=list_queries.MAX_LIMIT)] = 50,
    ) -> Response[Any]:
        """Filter by area, week, category, organisation and status; follow `next_cursor` for more.

        As a file (CSV or Excel), the page's rows with the next page's cursor in `X-Next-Cursor`.
        """
        await read_your_writes(context.tracker, "picture", min_position)
        tenant = context.identity.tenant
        async with context.readers.statement(tenant) as conn:  # one statement
            found, next_cursor = await list_queries.reports(
                conn,
                tenant,
                area_id=area_id,
                week=week,
                category=category,
                org=org,
                status=status,
                cursor=cursor,
                limit=limit,
            )
        if (fmt := wanted(accept)) == "json":
            return Response(msgspec.convert({"reports": found, "next_cursor": next_cursor}, ReportPage))
        response = table_response(fmt, list(REPORT_COLUMNS), [report_row(r) for r in found], "rapporter")
        if next_cursor:
            response.headers["X-Next-Cursor"] = next_cursor
        return response

    @get(
        "/{report_id:uuid}",
        summary="A report as it stands now",
        guards=[authenticated],
        responses=problems(*PARAMS, 404),
        middleware=[recorded("report")],
    )
    async def get_report(
        self, report_id: FromPath[UUID], context: Context, min_position: MinPosition
    ) -> Response[ReportDetail]:
        """Everyone in the tenant may read; another tenant's report is 404.

        Read from the event log itself, so always at `min_position` or beyond.
        """
        r = await commands.load_in_tenant(context.store, Report, report_id, context.identity.tenant)
        out = ReportDetail(
            id=str(r.id),
            version=r.version,
            area_id=str(r.area_id),
            category=r.category,
            occurred_at=r.occurred_at,
            week=r.week,
            count=r.count,
            place=r.place,
            location=msgspec.convert(r.location, LocationOut) if r.location else None,
            description=r.description,
            source=r.source,
            org=r.org,
            submitted_by=r.submitted_by,
            status="retracted" if r.retracted else "active",
            redacted=r.redacted,
        )
        return Response(out, headers={"ETag": f'"{r.version}"'})

    @post(
        "/{report_id:uuid}/corrections",
        summary="Correct a report",
        status_code=200,
        guards=[role("reporter", "coordinator")],
        responses=problems(*CHANGE),
    )
    async def correct_report(
        self, report_id: FromPath[UUID], data: JSONBody[CorrectionIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """A reporter corrects its own organisation's reports; a coordinator any report."""
        changes = {f: getattr(data.changes, f) for f in data.changes.__struct_fields__}
        changes = {f: v for f, v in changes.items() if v is not UNSET}
        if "location" in changes:
            changes["location"] = _location(changes["location"], context.settings.location_cell_m, "changes.location")
        result = await reporting.correct_report(
            context.store,
            context.areas,
            context.identity,
            context.now,
            report_id,
            changes,
            data.reason,
            expected_version(if_match),
        )
        return written(result, 200)

    @post(
        "/{report_id:uuid}/retraction",
        summary="Retract a report",
        status_code=200,
        guards=[role("reporter", "coordinator")],
        responses=problems(*CHANGE),
    )
    async def retract_report(
        self, report_id: FromPath[UUID], data: JSONBody[RetractionIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """A reporter retracts its own organisation's reports, a coordinator any (a redacted one too).

        They stay in history and leave the counts. A redacted report's key is gone: its retraction's
        reason is kept in clear, after the same privacy check as every reason.
        """
        version = expected_version(if_match)
        result = await reporting.retract_report(context.store, context.identity, report_id, data.reason, version)
        return written(result, 200)

    @post(
        "/{report_id:uuid}/redaction",
        summary="Destroy a report's free text for good (coordinator)",
        status_code=200,
        guards=[role("coordinator")],
        responses=problems(*CHANGE),
    )
    async def redact_report(
        self, report_id: FromPath[UUID], data: JSONBody[RedactionIn], context: Context, if_match: IfMatch
    ) -> Response[Written]:
        """Its key is destroyed: place, description and reasons read `[redacted]` everywhere, for good.

        The report stays in history and keeps counting; the audit trail shows who redacted it and when.
        """
        actor, version = context.identity.actor, expected_version(if_match)
        result = await commands.change(
            context.store, Report, report_id, actor.tenant, version, lambda r: r.redact(actor, data.reason)
        )
        return written(result, 200)
