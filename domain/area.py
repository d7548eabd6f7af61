"""The Area aggregate: a place a tenant follows (e.g. Råslätt), with optional SCB area codes."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.boundary import checked_boundary
from domain.errors import Invalid, InvalidTransition
from domain.limits import AREA_CODE_MAX, CODE_PATTERN, NAME_MAX, REASON_MAX
from domain.text import required_text

NAMESPACE = UUID("0d5c1a8e-3b1f-5f7a-9a53-6c61676573a1")
_CODE = re.compile(CODE_PATTERN)
_DESO = re.compile(r"^\d{4}[A-C]\d{4}$")  # e.g. 0680C1010
_REGSO = re.compile(r"^\d{4}R\d{3,4}$")  # e.g. 0680R012


class Area(Aggregate):
    """An area of one tenant. Its id follows from tenant and code, so a code is unique."""

    class Defined(Aggregate.Created):
        """The area was defined."""

        tenant: str
        code: str
        name: str
        parent_id: UUID | None
        deso: list[str]
        regso: list[str]
        by: str
        org: str

    class Renamed(Aggregate.Event):
        """The area got a new name."""

        name: str
        by: str
        org: str
        tenant: str

    class BoundarySet(Aggregate.Event):
        """The area got a boundary (a GeoJSON Polygon or MultiPolygon, checked), replacing any before."""

        geometry: dict[str, Any]
        by: str
        org: str
        tenant: str

    class Retired(Aggregate.Event):
        """The area is no longer followed."""

        reason: str
        by: str
        org: str
        tenant: str

    @staticmethod
    def create_id(tenant: str, code: str) -> UUID:
        """The area's id: the same tenant and code always give the same id."""
        return area_id(tenant, code)

    @event(Defined)
    def __init__(
        self,
        tenant: str,
        code: str,
        name: str,
        parent_id: UUID | None,
        deso: list[str],
        regso: list[str],
        by: str,
        org: str,
    ) -> None:
        self.tenant, self.code, self.name, self.parent_id = tenant, code, name, parent_id
        self.deso, self.regso = deso, regso
        self.retired = False
        self.boundary: dict[str, Any] | None = None

    @classmethod
    def define(
        cls,
        actor: Actor,
        code: str,
        name: str,
        parent_id: UUID | None = None,
        deso: list[str] | None = None,
        regso: list[str] | None = None,
    ) -> Area:
        """Define a new area; refuse a malformed code, name or SCB area code."""
        if not (2 <= len(code) <= AREA_CODE_MAX and _CODE.match(code)):
            raise Invalid("code", f"use 2-{AREA_CODE_MAX} lower-case letters a-z, digits and dashes, e.g. raslatt")
        name = required_text("name", name, NAME_MAX)
        for field, codes, pattern, example in (
            ("deso", deso or [], _DESO, "0680C1010"),
            ("regso", regso or [], _REGSO, "0680R012"),
        ):
            for i, scb_code in enumerate(codes):
                if not pattern.match(scb_code):
                    raise Invalid(f"{field}[{i}]", f"{scb_code!r} is not an SCB code like {example}")
        return cls(
            tenant=actor.tenant,
            code=code,
            name=name,
            parent_id=parent_id,
            deso=list(deso or []),
            regso=list(regso or []),
            by=actor.user,
            org=actor.org,
        )

    def rename(self, actor: Actor, name: str) -> None:
        """Give the area a new name (its code and id stay)."""
        name = required_text("name", name, NAME_MAX)
        if name == self.name:
            raise Invalid("name", "is the area's name already")
        self._renamed(name=name, by=actor.user, org=actor.org, tenant=self.tenant)

    def set_boundary(self, actor: Actor, geometry: Any) -> None:
        """Give the area its boundary (domain/boundary.py checks it); refuse one it has already."""
        if self.retired:
            raise InvalidTransition("the area is retired")
        boundary = checked_boundary(geometry)
        if boundary == self.boundary:
            raise Invalid("coordinates", "is the area's boundary already")
        self._boundary_set(geometry=boundary, by=actor.user, org=actor.org, tenant=self.tenant)

    def retire(self, actor: Actor, reason: str) -> None:
        """Stop following the area; its history stays."""
        if self.retired:
            raise InvalidTransition("the area is retired already")
        reason = required_text("reason", reason, REASON_MAX)
        self._retired(reason=reason, by=actor.user, org=actor.org, tenant=self.tenant)

    @event(Renamed)
    def _renamed(self, name: str, by: str, org: str, tenant: str) -> None:
        self.name = name

    @event(BoundarySet)
    def _boundary_set(self, geometry: dict[str, Any], by: str, org: str, tenant: str) -> None:
        self.boundary = geometry

    @event(Retired)
    def _retired(self, reason: str, by: str, org: str, tenant: str) -> None:
        self.retired = True


def area_id(tenant: str, code: str) -> UUID:
    """The id of the area with `code` in `tenant`."""
    return uuid5(NAMESPACE, f"{tenant}/area/{code}")
