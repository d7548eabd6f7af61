"""Who is asking: bearer JWTs verified against an OIDC issuer's keys, or a local development key."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Annotated, Any

import jwt
import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from service.identity import Identity
from service.settings import Settings

ROLES = frozenset({"reporter", "coordinator", "auditor", "admin"})
DEV_ISSUER = "lagesbild-dev"
DEV_AUDIENCE = "lagesbild"
_REQUIRED = ("sub", "tenant", "org", "roles", "exp")
_VERIFIED_MAX = 10_000  # verified tokens kept (by their text) until they expire
MAX_CLAIM = 200  # sub, tenant and org go into every event: bounded, and printable (no NUL for PostgreSQL)
_CLOCK_SKEW = 60  # seconds an issuer's clock may run ahead of ours when the lifetime is checked
_Bounded = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CLAIM)]


class _Claims(msgspec.Struct):
    """The claims Lägesbild reads, strictly typed: any other shape is a 401 naming the claim."""

    sub: _Bounded
    tenant: _Bounded
    org: _Bounded
    roles: Annotated[list[str], msgspec.Meta(min_length=1, max_length=32)]
    exp: float  # JSON numbers only: PyJWT itself accepts a string such as "1900000000"


class TokenVerifier:
    """Checks signature, expiry, issuer and audience, then the claims Lägesbild needs."""

    def __init__(self, settings: Settings) -> None:
        self._verified: dict[str, tuple[float, Identity]] = {}
        self._jwks: jwt.PyJWKClient | None = None
        if settings.oidc_issuer:
            if not (settings.oidc_jwks_url and settings.oidc_audience):
                raise ValueError("LAGESBILD_OIDC_ISSUER needs LAGESBILD_OIDC_JWKS_URL and LAGESBILD_OIDC_AUDIENCE")
            self._jwks = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True)
            self.issuer, self.audience = settings.oidc_issuer, settings.oidc_audience
            self._algorithms = ["RS256", "ES256", "PS256"]
            self._key: bytes | None = None
        else:
            self.issuer, self.audience = DEV_ISSUER, DEV_AUDIENCE
            self._algorithms = ["HS256"]
            self._key = development_key(settings.data_dir)
        self._max_lifetime = settings.token_max_lifetime_hours * 3600

    def verify(self, token: str) -> Identity:
        """The identity in `token`; NotAuthorizedException (401) for anything wrong with it."""
        # A client sends the same token with every request: verify its signature once, but
        # check its expiry every time.
        known = self._verified.get(token)
        if known is not None:
            if known[0] > time.time():
                return known[1]
            del self._verified[token]
        identity, expires = self._verify(token)
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[token] = (expires, identity)
        return identity

    def _verify(self, token: str) -> tuple[Identity, float]:
        try:
            key: Any = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._key
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": list(_REQUIRED)},
            )
        except jwt.PyJWTError as error:
            raise _unauthorized(f"the token is not valid: {error}") from error
        try:
            typed = msgspec.convert(claims, _Claims)
        except msgspec.ValidationError as error:
            raise _unauthorized(f"the token's claims are not valid: {error}") from error
        if not all(v.isprintable() for v in (typed.sub, typed.tenant, typed.org)):
            raise _unauthorized(f"the token's sub, tenant and org must be printable, 1 to {MAX_CLAIM} characters")
        if not set(typed.roles) <= ROLES:
            raise _unauthorized(f"the token's roles must be a list drawn from {sorted(ROLES)}")
        if typed.exp > time.time() + self._max_lifetime + _CLOCK_SKEW:
            hours = self._max_lifetime / 3600
            raise _unauthorized(
                f"the token's exp is more than {hours:g} hours away (LAGESBILD_TOKEN_MAX_LIFETIME_HOURS)"
            )
        return Identity(typed.sub, typed.tenant, typed.org, frozenset(typed.roles), typed.exp), typed.exp


def development_key(data_dir: Path) -> bytes:
    """The local signing key for development tokens (made on first use, readable by the owner only)."""
    path = data_dir / "dev-signing-key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def mint_development_token(
    data_dir: Path, *, sub: str, tenant: str, org: str, roles: list[str], ttl_seconds: int = 8 * 3600
) -> str:
    """A token signed with the local development key (what `lagesbild token` prints)."""
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; use {sorted(ROLES)}")
    now = int(time.time())
    claims = {
        "sub": sub, "tenant": tenant, "org": org, "roles": roles,
        "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "iat": now, "exp": now + ttl_seconds,
    }  # fmt: skip
    return jwt.encode(claims, development_key(data_dir), algorithm="HS256")


def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    """The caller's identity from `Authorization: Bearer ...` (verified once per request), or 401."""
    cached = connection.scope.get("state", {}).get("identity")
    if isinstance(cached, Identity):
        return cached
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("send a token: Authorization: Bearer <JWT>")
    verifier: TokenVerifier = connection.app.state.verifier
    identity = verifier.verify(token.strip())
    connection.scope.setdefault("state", {})["identity"] = identity
    return identity


async def authenticated(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: any valid token of the partnership (checked before the body is read)."""
    # Guards are async: Litestar runs a sync guard in a worker thread, twice a request here.
    authenticate(connection)


def role(*roles: str) -> Guard:
    """Guard: a valid token with one of `roles` (401 without a token, 403 without the role)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        authenticate(connection).require(*roles)

    return guard


def _unauthorized(detail: str) -> NotAuthorizedException:
    return NotAuthorizedException(detail, headers={"WWW-Authenticate": 'Bearer realm="lagesbild"'})
