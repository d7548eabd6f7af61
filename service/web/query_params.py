"""Query parameters: only those a route declares, and no personal data in them, since reads are recorded.

A guard on every API route. An unknown parameter is refused (400 naming it) rather than ignored:
the read log records the parameters of each read for good, so nothing may ride along unchecked,
and a misspelt filter should not silently answer everything. A text parameter (a filter such as
`org` or `actor`) is checked by the same privacy guard as free text in a write (422 naming it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from domain.privacy import check_free_text


class UnknownQueryParameters(Exception):
    """The request names query parameters its route does not take."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        self.unknown, self.known = unknown, known
        takes = f"it takes {', '.join(known)}" if known else "it takes none"
        super().__init__(f"unknown query parameter {', '.join(unknown)}: {takes}")


@dataclass(frozen=True, slots=True)
class _Declared:
    names: frozenset[str]
    text: frozenset[str]


_KEY = "lagesbild_declared_query"  # kept in the handler's own `opt`: computed once, dies with the app


def _declared_by(handler: BaseRouteHandler, path_params: frozenset[str]) -> _Declared:
    found = handler.opt.get(_KEY)
    if not isinstance(found, _Declared):
        # Litestar reads only the names of the path parameters here (to tell them from query ones).
        model = handler.create_kwargs_model(path_parameters=cast("dict[str, Any]", dict.fromkeys(path_params)))
        fields = handler.parsed_fn_signature.parameters
        names = frozenset(p.field_alias for p in model.expected_query_params)
        text = frozenset(
            p.field_alias
            for p in model.expected_query_params
            if p.field_name in fields and fields[p.field_name].is_subclass_of((str, type(None)))
        )
        found = handler.opt[_KEY] = _Declared(names, text)
    return found


async def declared_query_only(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard: refuse parameters the route does not declare, and personal data in its text parameters."""
    query = connection.query_params
    if not query:
        return
    declared = _declared_by(handler, frozenset(connection.path_params))
    unknown = sorted(set(query) - declared.names)
    if unknown:
        raise UnknownQueryParameters(unknown, sorted(declared.names))
    for name, value in query.multi_items():
        if name in declared.text:
            check_free_text(name, value)
