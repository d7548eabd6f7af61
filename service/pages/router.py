"""The web app's router (web app edge): its routes, the session around them, their context and their error pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from service.errors import Forbidden, NotFound
from service.pages import (
    action_plan,
    actions,
    area,
    audit,
    imports,
    login,
    overview,
    report_page,
    reporting,
    weekly,
)
from service.pages.accessibility import accessibility_page
from service.pages.rendering import STATIC, page
from service.pages.session import SignInRequired, session_identity, session_middleware
from service.settings import Settings
from service.web.context import context_provider
from service.web.projection_progress import NotReachedYet

STATIC_MAX_AGE = 3600
"""Our own CSS and scripts may be cached for an hour (the pages themselves never are: no-store)."""


def _to_login(_: Request[Any, Any, Any], __: SignInRequired) -> Response[Any]:
    return Redirect("/login", status_code=303)


def _forbidden(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return page(request, "error.html", title="Du saknar behörighet", status_code=403)


def _not_found(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return page(request, "error.html", title="Sidan finns inte", status_code=404)


def _catching_up(request: Request[Any, Any, Any], error: NotReachedYet) -> Response[Any]:
    """A page waiting for the read models to reach a write (its reader's own) that they did not reach in time."""
    message = "Lägesbilden har inte hunnit ta med din senaste ändring ännu. Ladda om sidan om en liten stund."
    answer = page(request, "error.html", title="Sidan uppdateras", message=message, status_code=503)
    answer.set_header("Retry-After", (error.headers or {}).get("Retry-After", "1"))
    return answer


def pages_router(settings: Settings, clock: Callable[[], datetime]) -> list[ControllerRouterHandler]:
    """The pages under / and their static files under /static (the API is not touched by any of it)."""
    routes: list[ControllerRouterHandler] = [
        *login.login_routes(settings),
        accessibility_page(settings),
        overview.overview,
        overview.live,
        area.area_page,
        imports.import_form,
        imports.preview,
        imports.confirm,
        reporting.report_form_page,
        reporting.submit,
        report_page.report_page,
        report_page.correct,
        report_page.retract,
        weekly.weekly_now,
        weekly.weekly,
        weekly.weekly_download,
        weekly.assessment_form,
        weekly.save_assessment,
        actions.actions,
        actions.action,
        actions.move_action,
        actions.follow_up,
        action_plan.plan_form,
        action_plan.plan,
        audit.trail,
        audit.trail_download,
        audit.reads,
        audit.reads_download,
        audit.verify,
    ]
    pages = Router(
        "/",
        route_handlers=routes,
        middleware=session_middleware(settings),
        dependencies={"context": Provide(context_provider(settings, clock, identify=session_identity))},
        exception_handlers={
            SignInRequired: _to_login,
            Forbidden: _forbidden,
            PermissionDeniedException: _forbidden,
            NotFound: _not_found,
            NotFoundException: _not_found,
            NotReachedYet: _catching_up,
        },
        include_in_schema=False,
    )
    static = create_static_files_router(
        "/static", directories=[STATIC], cache_control=CacheControlHeader(max_age=STATIC_MAX_AGE, public=True)
    )
    return [pages, static]
