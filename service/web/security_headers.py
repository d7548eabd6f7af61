"""Security headers on every answer (web layer): one `before_send` hook, and the policies it sends."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""The Content-Security-Policy of everything but the docs: the API answers no HTML, so nothing may load or frame it."""

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
"""The web app's pages (service/pages/): only the service's own files, no inline script or style, never framed."""

DOCS_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
"""The docs page at /schema: its own files only (service/web/docs_page.py).

No inline script or style; `data:` images for the icons Swagger UI's stylesheet holds inline.
"""

DOCS_PATH = "/schema"
"""Where the docs pages live (OpenAPIConfig.path); the OpenAPI documents under it are JSON or YAML, not pages."""

COMMON_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
)
"""On every answer. `no-store`: what the service answers is data about people's neighbourhoods, never to be cached."""


def policy_for(path: str, content_type: str) -> str:
    """The Content-Security-Policy for an answer at `path` with `content_type`."""
    if content_type.startswith("text/html"):
        return DOCS_POLICY if path == DOCS_PATH or path.startswith(DOCS_PATH + "/") else PAGE_POLICY
    return API_POLICY


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar `before_send` hook: add the headers to each response's start (errors and 404s included)."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in COMMON_HEADERS:
        if name not in headers:  # a route that sets its own (say, cache-control) keeps it
            headers[name] = value
    headers["content-security-policy"] = policy_for(scope["path"], headers.get("content-type") or "")
