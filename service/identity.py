"""The caller as the use cases see it: who, in which partnership and organisation, with which roles."""

from __future__ import annotations

import math
from dataclasses import dataclass

from domain.actor import Actor
from service.errors import Forbidden


@dataclass(frozen=True)
class Identity:
    """The verified claims of the caller."""

    sub: str
    tenant: str
    org: str
    roles: frozenset[str]
    expires: float = math.inf
    """When the token (or the pages' session) ends, in seconds since the epoch: a live stream ends with it."""

    @property
    def actor(self) -> Actor:
        """The caller as the domain sees it."""
        return Actor(self.sub, self.org, self.tenant)

    def require(self, *roles: str) -> None:
        """Refuse (Forbidden, 403) unless the caller has one of `roles`."""
        if not self.roles & set(roles):
            raise Forbidden(f"this needs the role {' or '.join(roles)}")
