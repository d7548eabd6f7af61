"""The pages' session (web app edge): an encrypted cookie holding the caller's claims, and the CSRF check of forms."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.types import ASGIApp, Message, Receive, Scope, ScopeSession, Send

from domain.errors import Invalid
from service.identity import Identity
from service.settings import Settings
from service.web.auth import MAX_CLAIM, ROLES
from service.web.context import HandlerContext
from service.web.projection_progress import read_your_writes

T = TypeVar("T")
SESSION_SECONDS = 10 * 3600
"""A session lasts a working day at most, from sign-in: then the caller signs in again."""


class SignInRequired(Exception):
    """A page was asked for without a valid session: the pages answer with a redirect to /login."""


def session_key(settings: Settings) -> bytes:
    """The 32-byte key the session cookie is encrypted with: from LAGESBILD_SESSION_KEY, or made in the data folder."""
    text = settings.session_key or _local_key(settings.data_dir / "session-key")
    return hashlib.sha256(b"lagesbild session\0" + text.encode()).digest()


def _local_key(path: Path) -> str:
    """A development key kept beside the dev signing key (made on first use, readable by the owner only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_hex(32))
    return path.read_text().strip()


def secure_cookies(settings: Settings) -> bool:
    """Cookies are `Secure` unless the service listens on loopback (plain HTTP in development)."""
    host = settings.host.strip("[]")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def secure_request(scope: Scope) -> bool:
    """On loopback, a request's cookies are `Secure` all the same if it came by HTTPS or from another machine.

    The scheme and client are those a trusted proxy named (service/web/proxies.py): a local proxy
    in front of the service gets `Secure` cookies for its HTTPS clients.
    """
    if scope.get("scheme") == "https":
        return True
    client = scope.get("client")
    try:
        return client is not None and not ipaddress.ip_address(client[0]).is_loopback
    except ValueError:  # not an address (a test client's name): as on loopback
        return False


def session_middleware(settings: Settings) -> list[DefineMiddleware]:
    """The session cookie, then the CSRF check of every unsafe request (forms carry `csrf_input`)."""
    return [DefineMiddleware(_session_and_csrf, settings=settings)]


def _session_and_csrf(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Both, made per route (a router is deep-copied, and a cipher cannot be); `Secure` as the request needs."""
    key = session_key(settings)
    secure = _stack(app, key, secure=True)
    if secure_cookies(settings):
        return secure
    plain = _stack(app, key, secure=False)

    async def by_request(scope: Scope, receive: Receive, send: Send) -> None:
        await (secure if secure_request(scope) else plain)(scope, receive, send)

    return by_request


def _stack(app: ASGIApp, key: bytes, *, secure: bool) -> ASGIApp:
    cookie = CookieBackendConfig(
        secret=key, key="lagesbild_session", max_age=SESSION_SECONDS, secure=secure, httponly=True, samesite="lax"
    )
    csrf = CSRFConfig(
        secret=hashlib.sha256(b"lagesbild csrf\0" + key).hexdigest(),
        cookie_name="lagesbild_csrf",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
    )
    return SessionMiddleware(CSRFMiddleware(app, config=csrf), backend=_SessionCookie(config=cookie))


class _SessionCookie(ClientSideSessionBackend):
    """Litestar's encrypted cookie, set again only when the session has changed.

    Litestar encrypts and sets it again on every response, at a cost to every page; the browser's
    copy says the same, and expires when the sign-in's did (the session's own `expires` rules).
    """

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope.setdefault("state", {})[_AS_LOADED] = dict(data)  # sign_in replaces the values, never edits
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        if scope_session and scope_session == connection.scope.get("state", {}).get(_AS_LOADED):
            return
        await super().store_in_message(scope_session, message, connection)


_AS_LOADED = "lagesbild_session_as_loaded"


def check_claims(sub: Any, tenant: Any, org: Any, roles: Any) -> Identity | None:
    """The identity these claims make, within the bounds a token's claims have; None if they are out of bounds."""
    if not all(isinstance(v, str) and v and len(v) <= MAX_CLAIM and v.isprintable() for v in (sub, tenant, org)):
        return None
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        return None
    if not set(roles) <= ROLES:
        return None
    return Identity(sub, tenant, org, frozenset(roles))


def sign_in(connection: ASGIConnection[Any, Any, Any, Any], identity: Identity, name: str | None = None) -> None:
    """Start a session for `identity` (a fresh one: nothing of a session before sign-in is kept)."""
    connection.clear_session()
    connection.set_session(
        {
            "sub": identity.sub,
            "tenant": identity.tenant,
            "org": identity.org,
            "roles": sorted(identity.roles),
            "name": name if name and len(name) <= MAX_CLAIM and name.isprintable() else identity.sub,
            "expires": int(time.time()) + SESSION_SECONDS,
        }
    )


def signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity | None:
    """The caller of a valid, unexpired session (left in scope state for the read log), or None."""
    # Always from the cookie: a server may hand each request the same state (Litestar's test client does).
    data = connection.scope.get("session")
    if not isinstance(data, dict) or not isinstance(data.get("expires"), int) or data["expires"] <= time.time():
        return None
    identity = check_claims(data.get("sub"), data.get("tenant"), data.get("org"), data.get("roles"))
    if identity is not None:
        identity = replace(identity, expires=data["expires"])  # a live stream ends with the session
        connection.scope.setdefault("state", {})["identity"] = identity
    return identity


def session_identity(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    """The caller of the session; SignInRequired (a redirect to /login) without one."""
    identity = signed_in(connection)
    if identity is None:
        raise SignInRequired
    return identity


_SEEN = "seen"


def saw(connection: ASGIConnection[Any, Any, Any, Any], position: int) -> None:
    """Note that the session has been shown the log up to `position` (a write it made, as its page showed it).

    The pages kept for all their readers (Översikt, Område) show it nothing older from then on.
    """
    data = connection.scope.get("session")
    if isinstance(data, dict) and position > seen(connection):
        connection.set_session({**data, _SEEN: position})


def seen(connection: ASGIConnection[Any, Any, Any, Any]) -> int:
    """The furthest position the session has been shown a write at (0: none)."""
    data = connection.scope.get("session")
    position = data.get(_SEEN) if isinstance(data, dict) else None
    return position if isinstance(position, int) else 0


async def kept_for_reader(
    connection: ASGIConnection[Any, Any, Any, Any],
    context: HandlerContext,
    key: Hashable,
    projections: tuple[str, ...],
    compute: Callable[[], Awaitable[T]],
) -> T:
    """`context.pages.get(...)`, nothing older than what this session has seen (a write of its own).

    The read models are waited for until they reach it (503 after a while if they do not); a session
    that has seen further than the log reaches (a database made anew under it) is taken as having seen nothing.
    """
    position = seen(connection)
    try:
        for projection in projections:
            await read_your_writes(context.tracker, projection, position or None)
    except Invalid:
        position = 0
    return await context.pages.get(key, projections, compute, position)


def display_name(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The name the header shows for the signed-in caller."""
    data = connection.scope.get("session")
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""
