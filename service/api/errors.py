"""The problem+json answers (RFC 9457) each route documents in OpenAPI, next to its success answer."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from msgspec import UNSET, UnsetType

from service.web.problems import MEDIA_TYPE


class FieldError(msgspec.Struct):
    """One field at fault: where it is (`changes.count`, `report_ids[2]`), and what is wrong with it."""

    field: str
    message: str
    source: str | UnsetType = UNSET
    """Where the field was sent: `body`, `query`, `path` or `header`."""
    kind: str | UnsetType = UNSET
    """For personal data found in free text: what kind (e.g. `phone number`)."""


class Problem(msgspec.Struct):
    """An error (RFC 9457): `detail` says what to do about it; for bad input `errors` names each field."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | UnsetType = UNSET


_WHEN = {
    400: "Malformed: the body is not JSON, or a header (If-Match) is not what it should be",
    401: "No token, or one that is not valid (WWW-Authenticate says how to authenticate)",
    403: "The token lacks the role this needs",
    404: "There is nothing here for you (another tenant's things do not exist for you either)",
    409: "The current state does not allow this, or it exists already, or it changed meanwhile",
    412: "If-Match names another version than the current one; nothing was stored",
    413: "The body is larger than LAGESBILD_MAX_BODY_BYTES",
    422: "Invalid input; `errors` names each field at fault",
    429: "Too many writes with this token; Retry-After says in how many seconds to try again",
    503: "The database or a read model is not available now; Retry-After says when to try again",
}
EVERY_ROUTE = (401, 503)
"""Every route under /api/v1 needs a token and a database."""
PARAMS = (400, 422)
"""A route with parameters: 422 names the one at fault (400 where Litestar finds the request malformed)."""
BODY = (*PARAMS, 413)
"""A route that reads a JSON body."""
WRITE = (*BODY, 403, 429)
"""A write: a body, a role, the rate limit."""
CHANGE = (*WRITE, 404, 409, 412)
"""A change to something that exists: it may not, its state may not allow it, If-Match may be stale."""


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI `responses` of an API route: problem+json for `statuses`, and for those every API route gives."""
    return only_problems(*EVERY_ROUTE, *statuses)


def only_problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI `responses` for the problem+json answers `statuses` (for routes outside /api/v1)."""
    return {
        status: ResponseSpec(Problem, generate_examples=False, description=_WHEN[status], media_type=MEDIA_TYPE)
        for status in sorted(set(statuses))
    }


CSV_MEDIA_TYPE = "text/csv"


@dataclass
class OrCsv(Operation):
    """An operation whose success answer is also offered as CSV (with `Accept: text/csv`)."""

    def __post_init__(self) -> None:
        """Add text/csv beside application/json to the 200 answer."""
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content[CSV_MEDIA_TYPE] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
            ok.description = f"{ok.description} (CSV with `Accept: text/csv`, UTF-8 with a byte-order mark)"
