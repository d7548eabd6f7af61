"""Errors as `application/problem+json` (RFC 9457): one handler per kind of error, and their OpenAPI documents."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import ParameterKwarg
from litestar.types import ExceptionHandlersMap
from msgspec import UNSET, UnsetType

from domain.errors import Invalid, InvalidTransition, PersonalDataFound
from projections.connections import CONNECTION_ERRORS
from service.db.pools import DatabaseUnavailable
from service.errors import AlreadyExists, Forbidden, IdempotencyKeyMismatch, LimitReached, NotFound, StaleVersion
from service.store.event_store import AggregateNotFound, ConcurrencyConflict, StoreUnavailable
from service.web.query_params import UnknownQueryParameters

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_AFTER = {"Retry-After": "5"}  # seconds; a restarting database is usually back by then
_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")
_PATH_IN_MESSAGE = re.compile(r" - at `\$\.?([^`]*)`$")
_TITLES = {
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    429: "Too many requests",
    503: "Unavailable",
}


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _declared_name(request: Request[Any, Any, Any], key: str) -> str:
    """A parameter as the client names it (`from`), not as the handler's argument (`since`)."""
    try:
        parameter = request.route_handler.parsed_fn_signature.parameters.get(key)
    except (AttributeError, KeyError):  # no handler yet (the route did not match)
        return key
    definition = getattr(parameter, "kwarg_definition", None)
    if isinstance(definition, ParameterKwarg):
        return definition.query or definition.name or key
    return key


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra:  # the body is not JSON at all
        return problem(400, "Malformed request", str(exc.detail))
    errors = []
    for item in extra:
        message = str(item.get("message", "invalid"))
        field = _declared_name(request, str(item.get("key", "")))
        path = _PATH_IN_MESSAGE.search(message)
        named = _FIELD_IN_MESSAGE.search(message)
        if path and path.group(1):
            field, message = path.group(1), message[: path.start()]
        elif named:  # a missing or unknown field, inside the object at `field`
            field = named.group(1) if field in ("", "data") else f"{field}.{named.group(1)}"
        errors.append({"field": field, "source": item.get("source", "body"), "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid request", detail, errors=errors)


def _unknown_query(request: Request[Any, Any, Any], exc: UnknownQueryParameters) -> Response[dict[str, Any]]:
    errors = [{"field": name, "source": "query", "message": "this route does not take it"} for name in exc.unknown]
    return problem(400, "Malformed request", str(exc), errors=errors)


def _invalid(request: Request[Any, Any, Any], exc: Invalid) -> Response[dict[str, Any]]:
    errors: list[dict[str, Any]] = [{"field": exc.field, "message": exc.problem}]
    if isinstance(exc, PersonalDataFound):
        # Found in fields read together: each is named, so that each can be shown at fault.
        errors += [{"field": field, "message": exc.problem} for field in exc.together_with]
        for error in errors:
            error["kind"] = exc.kind
    return problem(422, "Invalid request", f"{exc.field}: {exc.problem}", errors=errors)


def _transition(request: Request[Any, Any, Any], exc: InvalidTransition) -> Response[dict[str, Any]]:
    return problem(409, "Not possible now", str(exc))


def _not_found(request: Request[Any, Any, Any], exc: AggregateNotFound | NotFound) -> Response[dict[str, Any]]:
    return problem(404, "Not found", str(exc) if isinstance(exc, NotFound) else "there is nothing here")


def _conflict(request: Request[Any, Any, Any], exc: ConcurrencyConflict) -> Response[dict[str, Any]]:
    return problem(409, "Changed meanwhile", "someone changed this at the same time; load it again and retry")


def _exists(request: Request[Any, Any, Any], exc: AlreadyExists) -> Response[dict[str, Any]]:
    return problem(409, "Conflict", str(exc))


def _key_reused(request: Request[Any, Any, Any], exc: IdempotencyKeyMismatch) -> Response[dict[str, Any]]:
    # As the IETF Idempotency-Key draft answers a key reused with another payload.
    error = {"field": "Idempotency-Key", "source": "header", "message": str(exc)}
    return problem(422, "Invalid request", f"Idempotency-Key: {exc}", errors=[error])


def _limit(request: Request[Any, Any, Any], exc: LimitReached) -> Response[dict[str, Any]]:
    return problem(409, "Limit reached", str(exc))


def _stale(request: Request[Any, Any, Any], exc: StaleVersion) -> Response[dict[str, Any]]:
    return problem(412, "Precondition failed", str(exc))


def _forbidden(request: Request[Any, Any, Any], exc: Forbidden) -> Response[dict[str, Any]]:
    return problem(403, "Forbidden", str(exc))


def _unavailable(request: Request[Any, Any, Any], exc: StoreUnavailable) -> Response[dict[str, Any]]:
    detail = str(exc) if exc.maybe_stored else f"{exc}; try again shortly"
    return problem(503, "Unavailable", detail, RETRY_AFTER, maybe_stored=exc.maybe_stored)


def _database(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # A read (or /metrics) that met the database away: 503, not a 500 with a trace. Bad
    # arguments (asyncpg's DataError is an InterfaceError and a ValueError) are our fault.
    if not isinstance(exc, CONNECTION_ERRORS) or isinstance(exc, ValueError):
        return _unexpected(request, exc)
    log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
    detail = "the database cannot be reached or did not answer in time; try again shortly"
    if request.method in WRITE_METHODS:  # it failed before the append (whose own failures are StoreUnavailable)
        return problem(503, "Unavailable", f"{detail}; nothing was stored", RETRY_AFTER, maybe_stored=False)
    return problem(503, "Unavailable", detail, RETRY_AFTER)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    title = _TITLES.get(exc.status_code, "Request failed")
    return problem(exc.status_code, title, str(exc.detail), dict(exc.headers or {}))


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "Internal error", "something went wrong on our side; it has been logged")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: _validation,
    Invalid: _invalid,
    UnknownQueryParameters: _unknown_query,
    InvalidTransition: _transition,
    AggregateNotFound: _not_found,
    NotFound: _not_found,
    ConcurrencyConflict: _conflict,
    AlreadyExists: _exists,
    LimitReached: _limit,
    StaleVersion: _stale,
    IdempotencyKeyMismatch: _key_reused,
    Forbidden: _forbidden,
    StoreUnavailable: _unavailable,
    DatabaseUnavailable: _database,
    TimeoutError: _database,  # a statement or a wait for a pooled connection took too long
    asyncpg.PostgresError: _database,
    asyncpg.InterfaceError: _database,
    asyncpg.InternalClientError: _database,
    HTTPException: _http,
    Exception: _unexpected,
}


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
    400: "Malformed: the body is not JSON, a header (If-Match) is malformed, or a query parameter is unknown",
    401: "No token, or one that is not valid (WWW-Authenticate says how to authenticate)",
    403: "The token lacks the role this needs",
    404: "There is nothing here for you (another tenant's things do not exist for you either)",
    409: "The current state does not allow this, or it exists already, or it changed meanwhile, or a limit is reached",
    412: "If-Match names another version than the current one; nothing was stored",
    413: "The body is larger than LAGESBILD_MAX_BODY_BYTES",
    422: "Invalid input; `errors` names each field at fault (or the Idempotency-Key, used before for another request)",
    429: "Too many writes with this token (or, on a stream, too many streams open for its subject);"
    " Retry-After says in how many seconds to try again",
    503: "The database or a read model is not available now; Retry-After says when to try again",
}
EVERY_ROUTE = (400, 401, 503)
"""Every route under /api/v1 takes only the query parameters it declares, needs a token and a database."""
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
