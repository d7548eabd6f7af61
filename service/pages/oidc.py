"""Sign-in for the pages in production (web app edge): the OpenID Connect authorization code flow with PKCE."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from service.identity import Identity
from service.pages.session import check_claims
from service.settings import Settings

ALGORITHMS = ["RS256", "ES256", "PS256"]
TIMEOUT_SECONDS = 10.0


class SignInFailed(Exception):
    """The flow did not end in a verified identity; the message says why (for the log and the page)."""


@dataclass(frozen=True, slots=True)
class Pending:
    """What the session keeps between sending the browser to the issuer and its return."""

    state: str
    nonce: str
    verifier: str

    def as_dict(self) -> dict[str, str]:
        """For the session cookie."""
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier}

    @classmethod
    def from_session(cls, data: Any) -> Pending | None:
        """What `as_dict` stored, or None if the session holds no sign-in in progress."""
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("state", "nonce", "verifier")):
            return None
        return cls(data["state"], data["nonce"], data["verifier"])


def _claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name; a dotted name reaches into objects (say, `realm_access.roles`)."""
    value: Any = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class OidcClient:
    """The pages' client at LAGESBILD_OIDC_ISSUER: discovery, the authorization URL, the code exchange, the ID token."""

    def __init__(self, settings: Settings) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id):
            raise ValueError("an OIDC client needs LAGESBILD_OIDC_ISSUER and LAGESBILD_OIDC_CLIENT_ID")
        self.issuer, self.client_id = settings.oidc_issuer, settings.oidc_client_id
        self._secret = settings.oidc_client_secret
        self._claims = (settings.oidc_claim_tenant, settings.oidc_claim_org, settings.oidc_claim_roles)
        self._metadata: dict[str, Any] | None = None
        self._keys: jwt.PyJWKClient | None = None

    async def metadata(self) -> dict[str, Any]:
        """The issuer's discovery document (fetched once, its issuer checked)."""
        if self._metadata is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
                response = await http.get(url)
            response.raise_for_status()
            found = response.json()
            if found.get("issuer") != self.issuer:
                raise SignInFailed(f"the discovery document names the issuer {found.get('issuer')!r}, not ours")
            self._keys = jwt.PyJWKClient(found["jwks_uri"], cache_keys=True)
            self._metadata = found
        return self._metadata

    async def begin(self, redirect_uri: str) -> tuple[str, Pending]:
        """Where to send the browser, and what to keep until it returns."""
        metadata = await self.metadata()
        pending = Pending(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid profile",
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{metadata['authorization_endpoint']}?{query}", pending

    async def finish(self, pending: Pending, code: str, state: str, redirect_uri: str) -> tuple[Identity, str | None]:
        """The identity (and display name) the issuer vouches for, once `state`, the code and the ID token hold."""
        if not secrets.compare_digest(state.encode(), pending.state.encode()):
            raise SignInFailed("the state returned is not the one sent")
        metadata = await self.metadata()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        form["code_verifier"] = pending.verifier
        if not self._secret:
            form["client_id"] = self.client_id  # a public client names itself; a confidential one authenticates
        auth = httpx.BasicAuth(self.client_id, self._secret) if self._secret else None
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, auth=auth) as http:
            response = await http.post(metadata["token_endpoint"], data=form)
        if response.status_code != 200:
            raise SignInFailed(f"the token endpoint answered {response.status_code}: {response.text[:200]}")
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("the token endpoint sent no ID token")
        claims = await self._verified(id_token)
        if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
            claims["nonce"].encode(), pending.nonce.encode()
        ):
            raise SignInFailed("the ID token's nonce is not the one sent")
        tenant, org, roles = (_claim(claims, name) for name in self._claims)
        identity = check_claims(claims.get("sub"), tenant, org, roles)
        if identity is None:
            names = ", ".join(self._claims)
            raise SignInFailed(f"the ID token's sub, {names} are missing or out of bounds")
        name = claims.get("name")
        return identity, name if isinstance(name, str) else None

    def _signing_key(self, id_token: str) -> jwt.PyJWK:
        """The issuer's key the token names; a token naming none may use the issuer's only key."""
        assert self._keys is not None
        kid = jwt.get_unverified_header(id_token).get("kid")
        if kid is not None:
            return self._keys.get_signing_key(kid)
        keys = self._keys.get_signing_keys()
        if len(keys) != 1:
            raise jwt.InvalidTokenError("the ID token names no key, and the issuer has several")
        return keys[0]

    async def _verified(self, id_token: str) -> dict[str, Any]:
        assert self._keys is not None
        try:
            # PyJWKClient fetches the keys with urllib: in a thread, so the event loop goes on meanwhile.
            key = await asyncio.to_thread(self._signing_key, id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["sub", "exp", "iat", "nonce"]},
            )
        except jwt.PyJWTError as error:
            raise SignInFailed(f"the ID token is not valid: {error}") from error
        return claims
