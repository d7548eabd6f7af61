"""Situation reports: submit (reporter), correct (own organisation or coordinator), retract."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET

from domain.categories import DEFAULT_CODES
from domain.category import Category, category_id
from domain.errors import Invalid
from domain.location import Location, coarsen
from domain.report import Report
from projections.picture import lists as list_queries
from service import commands
from service.api.common import (
    NO_CONTROL,
    Areas,
    Config,
    Cursor,
    IdempotencyKey,
    Identity,
    IfMatch,
    MinPosition,
    Now,
    Readers,
    Store,
    Tracker,
    Written,
    expected_version,
    read_your_writes,
    written,
)
from service.api.context import Context
from service.api.errors import CHANGE, PARAMS, WRITE, problems
from service.api.list_shapes import Location as LocationOut
from service.api.list_shapes import ReportPage
from service.api.report_shapes import CorrectionIn, LocationIn, RedactionIn, ReportDetail, ReportIn, RetractionIn
from service.area_lookup import AreaLookup
from service.auth import authenticated, role
from service.event_store import EventStore
from service.read_recording import recorded
from service.settings import Settings


async def _check_area(areas: AreaLookup, area_id: UUID, tenant: str, field: str) -> None:
    try:
        area = await areas.get(area_id, tenant)
    except NotFoundException:
        raise Invalid(field, "there is no such area in your partnership") from None
    if area.retired:
        raise Invalid(field, f"the area {area.name} is retired")


async def _check_category(store: EventStore, code: str, tenant: str, field: str) -> None:
    if code in DEFAULT_CODES:
        return
    try:
        await commands.load_in_tenant(store, Category, category_id(tenant, code), tenant)
    except NotFoundException:
        raise Invalid(field, f"there is no category {code!r}; see GET /api/v1/categories") from None


def _location(location: LocationIn | None, settings: Settings, field: str) -> Location | None:
    return coarsen(location.lat, location.lon, settings.location_cell_m, field) if location else None


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
        self,
        data: JSONBody[ReportIn],
        context: Context,
        idempotency_key: IdempotencyKey,
    ) -> Response[Written]:
        """Free text with personal data, an unknown area or category, or a future time: 422."""
        identity, store = context.identity, context.store
        await _check_area(context.areas, data.area_id, identity.tenant, "area_id")
        await _check_category(store, data.category, identity.tenant, "category")
        report = Report.submit(
            identity.actor, now=context.now, area_id=data.area_id, category=data.category,
            occurred_at=data.occurred_at, week=data.week, count=data.count, place=data.place,
            location=_location(data.location, context.settings, "location"), description=data.description,
            source=data.source,
        )  # fmt: skip
        result = await commands.create(store, report, identity, idempotency_key)
        return written(result, 201, f"/api/v1/reports/{result.originator_id}")

    @get(
        summary="Reports, newest first (keyset pages)",
        guards=[authenticated],
        responses=problems(*PARAMS),
        middleware=[recorded("reports")],
    )
    async def list_reports(
        self,
        identity: Identity,
        readers: Readers,
        tracker: Tracker,
        min_position: MinPosition,
        area_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
        week: Annotated[str | None, QueryParameter(pattern=r"^\d{4}-W\d{2}$", required=False)] = None,
        category: Annotated[str | None, QueryParameter(max_length=48, pattern=NO_CONTROL, required=False)] = None,
        org: Annotated[str | None, QueryParameter(max_length=64, pattern=NO_CONTROL, required=False)] = None,
        status: Annotated[Literal["active", "retracted"] | None, QueryParameter(required=False)] = None,
        cursor: Cursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=list_queries.MAX_LIMIT)] = 50,
    ) -> ReportPage:
        """Filter by area, week, category, organisation and status; follow `next_cursor` for more."""
        await read_your_writes(tracker, "picture", min_position)
        async with readers.statement(identity.tenant) as conn:  # one statement
            found, next_cursor = await list_queries.reports(
                conn, identity.tenant, area_id=area_id, week=week, category=category, org=org, status=status,
                cursor=cursor, limit=limit,
            )  # fmt: skip
        return msgspec.convert({"reports": found, "next_cursor": next_cursor}, ReportPage)

    @get(
        "/{report_id:uuid}",
        summary="A report as it stands now",
        guards=[authenticated],
        responses=problems(*PARAMS, 404),
        middleware=[recorded("report")],
    )
    async def get_report(self, report_id: FromPath[UUID], identity: Identity, store: Store) -> Response[ReportDetail]:
        """Everyone in the tenant may read; another tenant's report is 404."""
        r = await commands.load_in_tenant(store, Report, report_id, identity.tenant)
        out = ReportDetail(
            str(r.id), r.version, str(r.area_id), r.category, r.occurred_at, r.week, r.count, r.place,
            msgspec.convert(r.location, LocationOut) if r.location else None, r.description, r.source, r.org,
            r.submitted_by, "retracted" if r.retracted else "active", r.redacted,
        )  # fmt: skip
        return Response(out, headers={"ETag": f'"{r.version}"'})

    @post(
        "/{report_id:uuid}/corrections",
        summary="Correct a report",
        status_code=200,
        guards=[role("reporter", "coordinator")],
        responses=problems(*CHANGE),
    )
    async def correct_report(
        self,
        report_id: FromPath[UUID],
        data: JSONBody[CorrectionIn],
        identity: Identity,
        store: Store,
        areas: Areas,
        settings: Config,
        now: Now,
        if_match: IfMatch,
    ) -> Response[Written]:
        """A reporter corrects its own organisation's reports; a coordinator any report."""
        changes = {f: getattr(data.changes, f) for f in data.changes.__struct_fields__}
        changes = {f: v for f, v in changes.items() if v is not UNSET}
        if "area_id" in changes:
            await _check_area(areas, changes["area_id"], identity.tenant, "changes.area_id")
        if "category" in changes:
            await _check_category(store, changes["category"], identity.tenant, "changes.category")
        if "location" in changes:
            changes["location"] = _location(changes["location"], settings, "changes.location")

        def decide(report: Report) -> None:
            if "coordinator" not in identity.roles and report.org != identity.org:
                raise PermissionDeniedException("only the reporting organisation or a coordinator may correct it")
            report.correct(identity.actor, changes, data.reason, now)

        result = await commands.change(store, Report, report_id, identity, expected_version(if_match), decide)
        return written(result, 200)

    @post(
        "/{report_id:uuid}/retraction",
        summary="Retract a report",
        status_code=200,
        guards=[role("reporter")],
        responses=problems(*CHANGE),
    )
    async def retract_report(
        self,
        report_id: FromPath[UUID],
        data: JSONBody[RetractionIn],
        identity: Identity,
        store: Store,
        if_match: IfMatch,
    ) -> Response[Written]:
        """A reporter retracts its own organisation's reports; they stay in history and leave the counts."""

        def decide(report: Report) -> None:
            if report.org != identity.org:
                raise PermissionDeniedException("only the reporting organisation may retract it")
            report.retract(identity.actor, data.reason)

        result = await commands.change(store, Report, report_id, identity, expected_version(if_match), decide)
        return written(result, 200)

    @post(
        "/{report_id:uuid}/redaction",
        summary="Destroy a report's free text for good (coordinator)",
        status_code=200,
        guards=[role("coordinator")],
        responses=problems(*CHANGE),
    )
    async def redact_report(
        self,
        report_id: FromPath[UUID],
        data: JSONBody[RedactionIn],
        identity: Identity,
        store: Store,
        if_match: IfMatch,
    ) -> Response[Written]:
        """Its key is destroyed: place, description and reasons read `[redacted]` everywhere, for good.

        The report stays in history and keeps counting; the audit trail shows who redacted it and when.
        """
        result = await commands.change(
            store,
            Report,
            report_id,
            identity,
            expected_version(if_match),
            lambda r: r.redact(identity.actor, data.reason),
        )
        return written(result, 200)
