"""Checks that what a write names exists in the caller's partnership: an area, a category, a report.

Each refuses as bad input (Invalid, 422) naming the field, for every writer alike: the API,
the pages, importers.
"""

from __future__ import annotations

from uuid import UUID

from domain.categories import DEFAULT_CODES
from domain.category import Category, category_id
from domain.errors import Invalid
from domain.report import Report
from service import commands
from service.area_lookup import AreaLookup
from service.errors import NotFound
from service.store.event_store import EventStore


async def check_area(areas: AreaLookup, area_id: UUID, tenant: str, field: str, *, retired_too: bool = False) -> None:
    """The area exists in `tenant` and, unless `retired_too`, is not retired."""
    try:
        area = await areas.get(area_id, tenant)
    except NotFound:
        raise Invalid(field, "there is no such area in your partnership") from None
    if area.retired and not retired_too:
        raise Invalid(field, f"the area {area.name} is retired")


async def check_category(store: EventStore, code: str, tenant: str, field: str) -> None:
    """`code` is a default category or one the tenant added."""
    if code in DEFAULT_CODES:
        return
    try:
        await commands.load_in_tenant(store, Category, category_id(tenant, code), tenant)
    except NotFound:
        raise Invalid(field, f"there is no category {code!r}; see GET /api/v1/categories") from None


async def check_reports(store: EventStore, report_ids: list[UUID], tenant: str, field: str) -> None:
    """Every report exists in `tenant`."""
    for i, report_id in enumerate(report_ids):
        try:
            await commands.load_in_tenant(store, Report, report_id, tenant)
        except NotFound:
            raise Invalid(f"{field}[{i}]", "there is no such report in your partnership") from None
