"""The Category aggregate: a category a tenant's admin adds to the default EST list."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.area import NAMESPACE
from domain.categories import DEFAULT_CODES
from domain.errors import Invalid
from domain.limits import CATEGORY_CODE_MAX, CODE_PATTERN, NAME_MAX
from domain.text import required_text, texts_together

_CODE = re.compile(CODE_PATTERN)


class Category(Aggregate):
    """A tenant's own category. Its id follows from tenant and code, so a code is unique."""

    class Added(Aggregate.Created):
        """The tenant added the category."""

        tenant: str
        code: str
        name_sv: str
        name_en: str
        parent: str | None
        by: str
        org: str

    @staticmethod
    def create_id(tenant: str, code: str) -> UUID:
        """The category's id: the same tenant and code always give the same id."""
        return category_id(tenant, code)

    @event(Added)
    def __init__(
        self, tenant: str, code: str, name_sv: str, name_en: str, parent: str | None, by: str, org: str
    ) -> None:
        self.tenant, self.code, self.name_sv, self.name_en, self.parent = (
            tenant,
            code,
            name_sv,
            name_en,
            parent,
        )

    @classmethod
    def add(
        cls, actor: Actor, code: str, name_sv: str, name_en: str, parent: str | None, known: frozenset[str]
    ) -> Category:
        """Add a category; `known` holds the codes the tenant has already (defaults included)."""
        if not (2 <= len(code) <= CATEGORY_CODE_MAX and _CODE.match(code)):
            raise Invalid("code", f"use 2-{CATEGORY_CODE_MAX} lower-case letters a-z, digits and dashes")
        if code in DEFAULT_CODES or code in known:
            raise Invalid("code", f"{code!r} exists already")
        if parent is not None and parent not in known and parent not in DEFAULT_CODES:
            raise Invalid("parent", f"no category {parent!r}")
        names = {
            "name_sv": required_text("name_sv", name_sv, NAME_MAX),
            "name_en": required_text("name_en", name_en, NAME_MAX),
        }
        texts_together(*names.items())
        return cls(
            tenant=actor.tenant,
            code=code,
            **names,
            parent=parent,
            by=actor.user,
            org=actor.org,
        )


def category_id(tenant: str, code: str) -> UUID:
    """The id of the tenant's own category with `code`."""
    return uuid5(NAMESPACE, f"{tenant}/category/{code}")
