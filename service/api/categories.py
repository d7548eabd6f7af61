"""Categories: the default EST list plus the tenant's own (admins add them)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from domain.category import Category
from domain.limits import CATEGORY_CODE_MAX, CODE_PATTERN, NAME_MAX
from service import commands
from service.api.params import IdempotencyKey, MinPosition, Strict
from service.api.writes import Written, idempotent, written
from service.web.auth import authenticated, role
from service.web.context import Context
from service.web.problems import PARAMS, WRITE, problems
from service.web.projection_progress import read_your_writes

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)]
Code = Annotated[str, msgspec.Meta(min_length=2, max_length=CATEGORY_CODE_MAX, pattern=CODE_PATTERN)]


class CategoryIn(Strict):
    """A tenant's own category, optionally under an existing one."""

    code: Code
    name_sv: Name
    name_en: Name
    parent: Annotated[str, msgspec.Meta(max_length=CATEGORY_CODE_MAX)] | None = None


class CategoryOut(msgspec.Struct):
    """A category as listed."""

    code: str
    name_sv: str
    name_en: str
    parent: str | None


class CategoryController(Controller):
    """`/api/v1/categories`."""

    path = "/categories"
    tags = ["categories"]  # noqa: RUF012

    @get(summary="The categories reports can use", guards=[authenticated], responses=problems(*PARAMS))
    async def list_categories(self, context: Context, min_position: MinPosition) -> list[CategoryOut]:
        """The default EST categories (stable codes), then the tenant's own: every one added before this read."""
        await read_your_writes(context.tracker, "catalogue", min_position)
        return [
            CategoryOut(c.code, c.name_sv, c.name_en, c.parent)
            for c in await context.catalogue.categories(context.identity.tenant)
        ]

    @post(summary="Add a category (admin)", status_code=201, guards=[role("admin")], responses=problems(*WRITE, 409))
    async def add_category(
        self, data: JSONBody[CategoryIn], context: Context, idempotency_key: IdempotencyKey
    ) -> Response[Written]:
        """A code that exists already (a default or the tenant's) is refused; beyond the tenant's bound, 409."""
        identity, limit = context.identity, context.settings.max_categories_per_tenant
        new_id = Category.create_id(identity.tenant, data.code)
        once = idempotent(idempotency_key, "POST /api/v1/categories", data)
        async with context.catalogue.defining(identity.tenant, "categories", new_id, limit) as own:
            known = frozenset(c["code"] for c in own)
            category = Category.add(identity.actor, data.code, data.name_sv, data.name_en, data.parent, known)
            result = await commands.create(context.store, category, identity, once)
        return written(result, 201)
