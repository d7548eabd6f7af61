"""What every page's template gets (web app): the navigation the caller's roles allow, the caller, the name."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from service.identity import Identity
from service.pages.session import display_name, signed_in

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SERVICE_NAME = "Lägesbild"


@dataclass(frozen=True, slots=True)
class Link:
    """A link of the navigation: its name, where it goes, and the roles that see it (empty: everyone signed in)."""

    name: str
    href: str
    roles: frozenset[str] = frozenset()


NAVIGATION = (
    Link("Översikt", "/"),
    Link("Rapportera", "/rapportera", frozenset({"reporter"})),
    Link("Veckans lägesbild", "/lagesbild"),
    Link("Insatser", "/insatser"),
    Link("Granskning", "/granskning", frozenset({"auditor", "coordinator"})),
)
"""The header's links, in order. A page's route checks the roles itself: hiding a link is not security."""


def navigation(identity: Identity | None) -> list[Link]:
    """The links `identity` may follow (none when no one is signed in)."""
    if identity is None:
        return []
    return [link for link in NAVIGATION if not link.roles or link.roles & identity.roles]


# auto_reload would stat the template and each it extends on every page served.
ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False)
"""Jinja2 on the pages' templates, autoescaping on; each template read once (restart to see one edited)."""


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The pages' templates for Litestar's `Template` responses."""
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(ENVIRONMENT))


async def fragment(template: str, **values: Any) -> Markup:
    """`template` rendered alone, as HTML to put in page.html: what a page keeps (service/web/read_cache.py).

    In a step of the event loop of its own: a page's computation readies its data in one step and
    renders it in the next, so that the requests arriving meanwhile wait for either, not for both.
    """
    await asyncio.sleep(0)
    return Markup(ENVIRONMENT.get_template(template).render(**values))


def page(
    request: Request[Any, Any, Any], template: str, *, title: str, status_code: int = 200, **values: Any
) -> Template:
    """`template` rendered in the base layout: `title` is the page's <title> and first heading."""
    identity = signed_in(request)
    context = {
        "service_name": SERVICE_NAME,
        "title": title,
        "identity": identity,
        "user_name": display_name(request) if identity else "",
        "navigation": navigation(identity),
        "current_path": request.url.path,
        **values,
    }
    return Template(template_name=template, context=context, status_code=status_code)
