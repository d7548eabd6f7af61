"""The docs page at /schema: one UI, every file from the service itself, a CSP with no CDN and no inline script."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from service.web.docs_page import STATIC_DIR, SWAGGER_UI
from tests.integration.api.conftest import Client

CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


class PageParts(HTMLParser):
    """What a page loads (every src and href), and any code or style written into the page itself."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self.spec_urls: list[str] = []
        self._tag = ""
        self._src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.urls += [value for name, value in attrs if name in ("src", "href") and value is not None]
        self.inline += [f"{tag} {name}" for name, _ in attrs if name == "style" or name.startswith("on")]
        if tag == "style":
            self.inline.append("style element")
        if (spec := named.get("data-spec-url")) is not None:
            self.spec_urls.append(spec)
        self._tag, self._src = tag, "src" in named

    def handle_data(self, data: str) -> None:
        if self._tag == "script" and not self._src and data.strip():
            self.inline.append("inline script")


async def docs_page(client: Client) -> PageParts:
    page = await client.get("/schema")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    parts = PageParts()
    parts.feed(page.text)
    return parts


async def test_the_page_loads_only_same_origin_files_and_holds_no_code(client: Client) -> None:
    parts = await docs_page(client)
    assert parts.urls, "the page loads the UI"
    for url in parts.urls:
        split = urlsplit(url)
        assert (split.scheme, split.netloc) == ("", ""), f"{url} is on another origin"
    assert parts.inline == []
    assert parts.spec_urls == ["/schema/openapi.json"]
    assert (await client.get(parts.spec_urls[0])).status_code == 200


async def test_every_file_the_page_loads_is_served_with_its_type(client: Client) -> None:
    parts = await docs_page(client)
    assert any(url.endswith(f"/{SWAGGER_UI}/swagger-ui-bundle.js") for url in parts.urls)
    for url in parts.urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert response.headers["content-type"].startswith(CONTENT_TYPES[suffix]), url
        assert response.headers["x-content-type-options"] == "nosniff"
        relative = url.removeprefix("/static/")
        assert response.content == (STATIC_DIR / relative).read_bytes(), url


async def test_the_vendored_files_may_be_cached_for_their_path_names_the_version(client: Client) -> None:
    response = await client.get(f"/static/vendor/{SWAGGER_UI}/swagger-ui-bundle.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert "no-store" not in response.headers["cache-control"]


@pytest.mark.parametrize(
    "path",
    [
        "/schema/swagger",
        "/schema/redoc",
        "/schema/elements",
        "/schema/rapidoc",
        "/schema/scalar",
        "/schema/oauth2-redirect.html",
        "/static/vendor/no-such-package/x.js",
    ],
)
async def test_no_other_docs_page(client: Client, path: str) -> None:
    assert (await client.get(path)).status_code == 404


@pytest.mark.parametrize("path", ["/schema/openapi.json", "/schema/openapi.yaml"])
async def test_the_openapi_document_is_still_served(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert "/api/v1/reports" in response.text


async def test_the_page_policy_names_no_other_origin_and_allows_no_inline_script(client: Client) -> None:
    page = await client.get("/schema")
    directives = {}
    for directive in page.headers["content-security-policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    script_sources = directives.get("script-src", directives["default-src"])
    style_sources = directives.get("style-src", directives["default-src"])
    assert script_sources == ["'self'"]
    assert style_sources == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for name, sources in directives.items():
        for source in sources:
            assert source.startswith("'") or source in ("data:", "blob:"), f"{name} allows {source}"
