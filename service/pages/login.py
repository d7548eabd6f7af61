"""Signing in and out of the pages (web app edge): a form in development, the OIDC code flow in production."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect, Template

from service.pages.oidc import OidcClient, Pending, SignInFailed
from service.pages.rendering import page
from service.pages.session import check_claims, sign_in
from service.settings import Settings
from service.web.auth import MAX_CLAIM

log = logging.getLogger(__name__)
ROLE_CHOICES = (
    ("reporter", "Rapportör"),
    ("coordinator", "Samordnare"),
    ("auditor", "Granskare"),
    ("admin", "Administratör"),
)
"""The form's role checkboxes: the value a token carries, the label a person reads."""
DEFAULT_TENANT = "jonkoping"


def _text_error(value: str, what: str) -> str | None:
    if not value:
        return f"Ange {what}"
    if len(value) > MAX_CLAIM:
        return f"{what.capitalize()} får vara högst {MAX_CLAIM} tecken"
    if not value.isprintable():
        return f"{what.capitalize()} får bara innehålla synliga tecken"
    return None


def _dev_form_errors(values: dict[str, Any]) -> dict[str, str]:
    """Field id -> message, in the form's order (what the error summary lists)."""
    errors = {}
    for field_id, key, what in (("partnerskap", "tenant", "partnerskap"), ("organisation", "org", "organisation")):
        if message := _text_error(values[key], what):
            errors[field_id] = message
    if not values["roles"]:
        errors["roller"] = "Välj minst en roll"
    elif not set(values["roles"]) <= {value for value, _ in ROLE_CHOICES}:
        errors["roller"] = "Välj bland rollerna i listan"
    if message := _text_error(values["sub"], "användar-id"):
        errors["anvandar-id"] = message
    return errors


def _dev_form(request: Request[Any, Any, Any], values: dict[str, Any], errors: dict[str, str]) -> Template:
    title = "Logga in"
    return page(
        request,
        "login.html",
        title=f"Fel: {title}" if errors else title,
        heading=title,
        values=values,
        errors=errors,
        role_choices=ROLE_CHOICES,
        status_code=400 if errors else 200,
    )


@get("/login", name="login")
async def dev_login_form(request: Request[Any, Any, Any]) -> Template:
    """The development sign-in: choose who you are (only when no issuer is configured)."""
    return _dev_form(request, {"tenant": DEFAULT_TENANT, "org": "", "roles": [], "sub": ""}, {})


@post("/login", status_code=303)
async def dev_login(request: Request[Any, Any, Any]) -> Response[Any]:
    """Check the form; sign in as the person it names, or show it again with each error beside its field."""
    form = await request.form()
    values = {
        "tenant": str(form.get("tenant") or "").strip(),
        "org": str(form.get("org") or "").strip(),
        "roles": [str(r) for r in form.getall("roles", [])],
        "sub": str(form.get("sub") or "").strip(),
    }
    errors = _dev_form_errors(values)
    identity = None if errors else check_claims(values["sub"], values["tenant"], values["org"], values["roles"])
    if identity is None:
        return _dev_form(request, values, errors or {"anvandar-id": "Kontrollera uppgifterna"})
    sign_in(request, identity)
    return Redirect("/", status_code=303)


def _redirect_uri(request: Request[Any, Any, Any], settings: Settings) -> str:
    return settings.oidc_redirect_url or str(request.url_for("login_callback"))


def oidc_routes(settings: Settings) -> list[HTTPRouteHandler]:
    """The production sign-in: /login sends the browser to the issuer, /login/callback takes it back."""
    if not settings.oidc_client_id:

        @get("/login", name="login")
        async def not_configured(request: Request[Any, Any, Any]) -> Template:
            """Tokens are verified against an issuer, but the pages have no client there."""
            return page(request, "sign_in_unavailable.html", title="Inloggningen är inte inställd", status_code=503)

        return [not_configured, no_dev_login]

    client = OidcClient(settings)

    @get("/login", name="login", status_code=303)
    async def oidc_login(request: Request[Any, Any, Any]) -> Redirect:
        """Start the authorization code flow (state, nonce and the PKCE verifier wait in the session)."""
        url, pending = await client.begin(_redirect_uri(request, settings))
        request.clear_session()
        request.set_session({"oidc": pending.as_dict()})
        return Redirect(url, status_code=303)

    @get("/login/callback", name="login_callback", status_code=303)
    async def oidc_callback(request: Request[Any, Any, Any]) -> Response[Any]:
        """The issuer's answer: check it, then sign in as the person its ID token names."""
        pending = Pending.from_session(request.session.get("oidc")) if isinstance(request.session, dict) else None
        code, state = request.query_params.get("code"), request.query_params.get("state")
        try:
            if pending is None or not code or not state:
                raise SignInFailed(f"no sign-in in progress, or no code ({request.query_params.get('error')!r})")
            identity, name = await client.finish(pending, code, state, _redirect_uri(request, settings))
        except SignInFailed as error:
            log.warning("sign-in failed: %s", error)
            request.clear_session()
            return page(request, "sign_in_failed.html", title="Inloggningen misslyckades", status_code=400)
        sign_in(request, identity, name)
        return Redirect("/", status_code=303)

    return [oidc_login, oidc_callback, no_dev_login]


@post("/login", status_code=404)
async def no_dev_login() -> None:
    """With an issuer configured, the development sign-in does not exist."""
    raise NotFoundException


@post("/logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    """End the session."""
    request.clear_session()
    return Redirect("/login", status_code=303)


def login_routes(settings: Settings) -> list[HTTPRouteHandler]:
    """The sign-in routes this configuration has: the development form, or the OIDC flow."""
    if settings.oidc_issuer:
        return [*oidc_routes(settings), logout]
    return [dev_login_form, dev_login, logout]
