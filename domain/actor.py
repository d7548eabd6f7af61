"""Who does something: a user of an organisation, within a tenant (a partnership)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The user (`sub`), the organisation and the tenant a command comes from."""

    user: str
    org: str
    tenant: str
