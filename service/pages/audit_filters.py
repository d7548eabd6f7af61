"""Granskning's filter forms (web app): a GET form's answers checked as the API checks its query, refused in Swedish.

The pages check these parameters themselves rather than by `declared_query_only`: a refusal
must come back as the form with its message beside the field, not as problem+json. The checks
are the guard's (an unknown parameter is refused, text filters go through the privacy guard)
and the API's (lengths, no control characters, a period inside `YEARS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from domain.errors import PersonalDataFound
from domain.limits import ORG_MAX
from domain.privacy import check_free_text
from domain.weeks import SWEDEN, YEARS
from service.api.params import MAX_POSITION
from service.errors import NotFound
from service.web.auth import MAX_CLAIM
from service.web.query_params import UnknownQueryParameters

TIME_HINT = "Till exempel 2026-12-01 08:00 (svensk tid)"
TRAIL_FIELDS = {"fran": "from", "till": "to", "organisation": "org", "anvandare": "actor", "omrade": "area_id"}
"""The trail's form: field id -> its parameter, the API's names (`from`, `to`, `org`, `actor`, `area_id`)."""
READ_FIELDS = {key: TRAIL_FIELDS[key] for key in ("fran", "till", "organisation", "anvandare")}
CURSOR = "after"


@dataclass(frozen=True, slots=True)
class Filters:
    """What a valid form asks for, in the API's terms."""

    since: datetime | None = None
    until: datetime | None = None
    org: str | None = None
    actor: str | None = None
    area_id: UUID | None = None
    after: int | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """The answers as typed (parameter -> text, kept on a refusal), what they ask for, and each field's refusal."""

    values: dict[str, str]
    filters: Filters
    errors: dict[str, str]

    def query(self, **changes: Any) -> str:
        """The answers as a query string (`?...`, or empty), with `changes` (None drops a parameter)."""
        items = {name: value for name, value in self.values.items() if value} | changes
        pairs = {name: str(value) for name, value in items.items() if value is not None and value != ""}
        return "?" + urlencode(pairs) if pairs else ""


def _moment(text: str, what: str) -> datetime | str:
    """The time `text` names (without an offset: Swedish time), or the refusal."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return f"{what} ska vara en tid som 2026-12-01 08:00"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SWEDEN)
    if moment.year not in YEARS:
        return f"{what} ska vara en tid mellan år {YEARS.start} och {YEARS.stop - 1}"
    return moment


def _text(text: str, what: str, name: str, longest: int) -> str | None:
    """The refusal of a text filter, or None if it may be searched for."""
    if len(text) > longest:
        return f"{what} får vara högst {longest} tecken"
    if not text.isprintable():
        return f"{what} får bara innehålla synliga tecken"
    try:
        check_free_text(name, text)
    except PersonalDataFound:
        return f"{what} ser ut att innehålla personuppgifter (personnummer, telefonnummer eller e-post): ta bort dem"
    return None


def _cursor(text: str) -> int | None:
    """The page to go on from; a cursor that no page gave is a page that does not exist."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_POSITION:
        raise NotFound("no such page of the audit trail")
    return int(text)


def read_form(query: Any, fields: dict[str, str]) -> Form:
    """The form `fields` (id -> parameter) as the query `query` (a multi-dict) answers it.

    A parameter the form does not have is refused (UnknownQueryParameters, as on every route).
    """
    known = [*fields.values(), CURSOR]
    unknown = sorted(set(query) - set(known))
    if unknown:
        raise UnknownQueryParameters(unknown, sorted(known))
    values = {name: str(query.get(name) or "").strip() for name in known}
    errors: dict[str, str] = {}
    found: dict[str, Any] = {}
    for field_id, name in fields.items():
        text = values[name]
        if not text:
            continue
        if name in ("from", "to"):
            moment = _moment(text, "Från" if name == "from" else "Till")
            if isinstance(moment, str):
                errors[field_id] = moment
            else:
                found[name] = moment
        elif name == "area_id":
            try:
                found[name] = UUID(text)
            except ValueError:
                errors[field_id] = "Välj ett område i listan"
        else:
            what, longest = ("Organisation", ORG_MAX) if name == "org" else ("Användar-id", MAX_CLAIM)
            if message := _text(text, what, name, longest):
                errors[field_id] = message
            else:
                found[name] = text
    since, until = found.get("from"), found.get("to")
    if since is not None and until is not None and until <= since:
        errors["till"] = "Till ska vara en senare tid än Från"
    filters = Filters(
        since=since,
        until=until,
        org=found.get("org"),
        actor=found.get("actor"),
        area_id=found.get("area_id"),
        after=_cursor(values[CURSOR]),
    )
    return Form(values, filters, errors)
