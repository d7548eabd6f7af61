"""Idempotency keys of the use cases, bound to their caller and their request (the API's Idempotency-Key header).

A key is stored as a hash of the length-prefixed tenant, subject and key, so that no choice of those
three strings (`p1/x` + `K` against `p1` + `x/K`) can make another caller's key; with it goes a
fingerprint of the request (route and body), so that the same key with another body, or on another
route, is refused instead of answered with the first result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from service.identity import Identity

_VERSION = "k2:"  # keys of another form (migration 0011) can never equal one of these


def _digest(*parts: str | bytes) -> bytes:
    """SHA-256 of the parts, each preceded by its length: no two lists of parts give the same input."""
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big"))
        hashed.update(data)
    return hashed.digest()


def scoped_key(tenant: str, subject: str, key: str) -> str:
    """The stored form of the key `key` sent by `subject` of `tenant`."""
    return _VERSION + _digest(tenant, subject, key).hex()


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """A create that carried an Idempotency-Key: the key, the route it was sent to, and its body."""

    key: str
    route: str
    """Method and path template, e.g. `POST /api/v1/reports`."""
    body: bytes
    """The request as decoded and encoded again (canonical: field order and spacing do not matter)."""

    def scoped_key(self, identity: Identity) -> str:
        """The key as stored for this caller."""
        return scoped_key(identity.tenant, identity.sub, self.key)

    @property
    def fingerprint(self) -> bytes:
        """What this request asked; the same key with another fingerprint is refused."""
        return _digest(self.route, self.body)


def form_request(key: str, route: str, values: Mapping[str, object]) -> IdempotentRequest:
    """A web form's submit token bound to what the form says (`values`, in any order), as a body is."""
    return IdempotentRequest(key, route, json.dumps(values, sort_keys=True, default=str).encode())
