"""Errors as `application/problem+json` (RFC 9457): a detail a person can act on, and the field at fault."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from domain.errors import Invalid, InvalidTransition, PersonalDataFound
from projections.connections import CONNECTION_ERRORS
from service.database import DatabaseUnavailable
from service.event_store import AggregateNotFound, ConcurrencyConflict, StoreUnavailable

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
RETRY_AFTER = {"Retry-After": "5"}  # seconds; a restarting database is usually back by then
_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")
_PATH_IN_MESSAGE = re.compile(r" - at `\$\.?([^`]*)`$")


class PreconditionFailed(HTTPException):
    """If-Match named another version than the aggregate has: nothing was stored."""

    status_code = 412


class Conflict(HTTPException):
    """The request clashes with the current state (e.g. the thing exists already)."""

    status_code = 409


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra:  # the body is not JSON at all
        return problem(400, "Malformed request", str(exc.detail))
    errors = []
    for item in extra:
        message = str(item.get("message", "invalid"))
        field = str(item.get("key", ""))
        path = _PATH_IN_MESSAGE.search(message)
        named = _FIELD_IN_MESSAGE.search(message)
        if path and path.group(1):
            field, message = path.group(1), message[: path.start()]
        elif named:  # a missing or unknown field, inside the object at `field`
            field = named.group(1) if field in ("", "data") else f"{field}.{named.group(1)}"
        errors.append({"field": field, "source": item.get("source", "body"), "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid request", detail, errors=errors)


def _invalid(request: Request[Any, Any, Any], exc: Invalid) -> Response[dict[str, Any]]:
    error: dict[str, Any] = {"field": exc.field, "message": exc.problem}
    if isinstance(exc, PersonalDataFound):
        error["kind"] = exc.kind
    return problem(422, "Invalid request", f"{exc.field}: {exc.problem}", errors=[error])


def _transition(request: Request[Any, Any, Any], exc: InvalidTransition) -> Response[dict[str, Any]]:
    return problem(409, "Not possible now", str(exc))


def _not_found(request: Request[Any, Any, Any], exc: AggregateNotFound) -> Response[dict[str, Any]]:
    return problem(404, "Not found", "there is nothing here")


def _conflict(request: Request[Any, Any, Any], exc: ConcurrencyConflict) -> Response[dict[str, Any]]:
    return problem(409, "Changed meanwhile", "someone changed this at the same time; load it again and retry")


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
    return problem(503, "Unavailable", detail, RETRY_AFTER)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    titles = {
        401: "Not authenticated", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
        409: "Conflict", 412: "Precondition failed", 413: "Request body too large", 429: "Too many requests",
        503: "Unavailable",
    }  # fmt: skip
    title = titles.get(exc.status_code, "Request failed")
    return problem(exc.status_code, title, str(exc.detail), dict(exc.headers or {}))


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "Internal error", "something went wrong on our side; it has been logged")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: _validation,
    Invalid: _invalid,
    InvalidTransition: _transition,
    AggregateNotFound: _not_found,
    ConcurrencyConflict: _conflict,
    StoreUnavailable: _unavailable,
    DatabaseUnavailable: _database,
    TimeoutError: _database,  # a statement or a wait for a pooled connection took too long
    asyncpg.PostgresError: _database,
    asyncpg.InterfaceError: _database,
    asyncpg.InternalClientError: _database,
    HTTPException: _http,
    Exception: _unexpected,
}
