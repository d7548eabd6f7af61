"""The API's documentation page at /schema (web layer): Swagger UI from the service's own files, nothing from a CDN."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin, YamlRenderPlugin
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).parent / "static"
"""Files the service serves as they are (package data, see pyproject.toml)."""

SWAGGER_UI = "swagger-ui-dist-5.35.0"
"""The vendored npm package (static/vendor/README.md says where its files come from)."""

VENDOR_PATH = "/static/vendor"
DOCS_ASSETS_PATH = "/static/docs"


class SwaggerPage(OpenAPIRenderPlugin):
    """Swagger UI at /schema: our files only, started by an external script, so the CSP needs no inline code.

    Litestar's own plugins load from CDNs (some at `latest`) and start the UI with an inline script.
    """

    def __init__(self) -> None:
        vendor = f"{VENDOR_PATH}/{SWAGGER_UI}"
        self.js_url = f"{vendor}/swagger-ui-bundle.js"
        self.css_url = f"{vendor}/swagger-ui.css"
        self.init_url = f"{DOCS_ASSETS_PATH}/swagger-init.js"
        self.page_css_url = f"{DOCS_ASSETS_PATH}/docs.css"
        favicon = f'<link rel="icon" type="image/png" href="{vendor}/favicon-32x32.png">'
        super().__init__(path="/", favicon=favicon, style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The page: the UI's stylesheet and scripts, and where the OpenAPI document is."""
        title = html.escape(str(openapi_schema["info"]["title"]))
        spec_url = html.escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{self.favicon}
<link rel="stylesheet" href="{self.css_url}">
<link rel="stylesheet" href="{self.page_css_url}">
<script defer src="{self.js_url}"></script>
<script defer src="{self.init_url}"></script>
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec_url}"></div>
</body>
</html>
""".encode()


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Under /schema: our one docs page and the document as YAML; the JSON one Litestar adds by itself. No other UI."""
    return [SwaggerPage(), YamlRenderPlugin()]


def static_routers() -> list[Router]:
    """The docs page's files: the vendored package (cacheable: its path names its version), and ours."""
    return [
        create_static_files_router(
            VENDOR_PATH,
            [STATIC_DIR / "vendor"],
            name="vendor",
            cache_control=CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True),
        ),
        create_static_files_router(DOCS_ASSETS_PATH, [STATIC_DIR / "docs"], name="docs-assets"),
    ]
