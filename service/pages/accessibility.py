"""Tillgänglighetsredogörelse (web app): the accessibility statement DOS-lagen asks for, open to everyone."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from service.pages.rendering import page
from service.settings import Settings


def accessibility_page(settings: Settings) -> Any:
    """The statement's route, with the address to report a problem to (LAGESBILD_ACCESSIBILITY_CONTACT)."""

    @get("/tillganglighet", name="accessibility")
    async def accessibility(request: Request[Any, Any, Any]) -> Template:
        """How accessible the service is, what is known not to be, and how to tell us."""
        return page(
            request, "accessibility.html", title="Tillgänglighetsredogörelse", contact=settings.accessibility_contact
        )

    return accessibility
