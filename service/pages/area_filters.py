"""Område's query string (web app): the weeks, the patterns' category, the reports' filters, checked, in words."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from domain.errors import Invalid, PersonalDataFound
from domain.limits import ORG_MAX
from domain.privacy import check_free_text
from domain.weeks import parse_week
from service.api.params import MAX_POSITION
from service.pages.refusals import refusal

DEFAULT_WEEKS, MAX_WEEKS = 8, 52
"""The chart shows 8 weeks unless the reader chooses up to 52 (the API's bounds)."""
FIELDS = ("veckor", "monsterkategori", "kategori", "organisation", "vecka")
"""The form's parameters, in the page's order; each is also its field's id (what the error summary links to)."""
OLDER = "fran"
"""The parameter of the link to older reports: the position the list goes on below (the API's keyset cursor)."""
REPORTS = "rapporter"
"""The id of the reports' heading: where an error in the link to older reports is shown."""
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AreaFilters:
    """What the reader asked for: valid values, what was typed (kept in the form), the errors by field id."""

    weeks: int = DEFAULT_WEEKS
    pattern_category: str | None = None
    category: str | None = None
    org: str | None = None
    week: str | None = None
    older_than: int | None = None
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _weeks(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_WEEKS:
        raise ValueError(f"Ange antal veckor som ett heltal från 1 till {MAX_WEEKS}")
    return int(text)


def _category(text: str, categories: Collection[str]) -> str:
    if text not in categories:
        raise ValueError("Välj en kategori i listan")
    return text


def _org(text: str) -> str:
    if len(text) > ORG_MAX:
        raise ValueError(f"Organisationen får vara högst {ORG_MAX} tecken")
    if not text.isprintable():
        raise ValueError("Organisationen får bara innehålla synliga tecken")
    try:
        check_free_text("organisation", text)
    except PersonalDataFound as found:
        raise ValueError(refusal(found, "organisationen")) from None
    return text


def _older_than(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_POSITION:
        raise ValueError("Länken till äldre rapporter gäller inte: visa de senaste och gå vidare därifrån")
    return int(text)


def _week(text: str) -> str:
    try:
        return parse_week("vecka", text)
    except Invalid:
        raise ValueError("Ange en vecka som finns, som år och veckonummer, till exempel 2026-W47") from None


def read_filters(query: Iterable[tuple[str, str]], categories: Collection[str]) -> AreaFilters:
    """The filters in `query` (its parameters, repeats included; empty means not given) from `categories`' codes.

    A parameter given twice is an error: every value in the query string is checked here.
    """
    given: dict[str, list[str]] = {}
    for name, value in query:
        if (name in FIELDS or name == OLDER) and value.strip():
            given.setdefault(name, []).append(value.strip())
    typed = {name: values[0] for name, values in given.items()}
    errors: dict[str, str] = {}

    def checked(name: str, parse: Callable[[str], T], shown_at: str | None = None) -> T | None:
        if len(given.get(name, ())) > 1:
            errors[shown_at or name] = "Ange bara ett värde"
        elif name in typed:
            try:
                return parse(typed[name])
            except ValueError as error:
                errors[shown_at or name] = str(error)
        return None

    weeks = checked("veckor", _weeks)  # in the page's order: the error summary lists them so
    pattern_category = checked("monsterkategori", lambda text: _category(text, categories))
    category = checked("kategori", lambda text: _category(text, categories))
    org, week = checked("organisation", _org), checked("vecka", _week)
    older_than = checked(OLDER, _older_than, shown_at=REPORTS)
    return AreaFilters(
        weeks=DEFAULT_WEEKS if weeks is None else weeks,
        pattern_category=pattern_category,
        category=category,
        org=org,
        week=week,
        older_than=older_than,
        typed=typed,
        errors=errors,
    )
