"""The report form's fields (web app): choices, reading what was typed, and refusals in Swedish beside their fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.categories import CategoryInfo
from domain.errors import Invalid, PersonalDataFound
from domain.limits import MAX_COUNT, PLACE_MAX, REASON_MAX, REPORT_DESCRIPTION_MAX
from domain.privacy import EMAIL_ADDRESS, PERSONAL_IDENTITY_NUMBER, PHONE_NUMBER, find_personal_data
from domain.weeks import SWEDEN, week_of
from service.catalogue import Catalogue

SOURCE_CHOICES = (
    ("own_observation", "Egen iakttagelse"),
    ("public_tip", "Tips från allmänheten"),
    ("incident_report", "Anmälan eller händelserapport"),
)
"""Källa: the value the domain knows, the words a person reads."""
FIELDS = {
    "area_id": ("omrade", "Område"),
    "category": ("kategori", "Kategori"),
    "occurred_at": ("tidpunkt", "Tidpunkt"),
    "week": ("vecka", "Vecka"),
    "count": ("antal", "Antal"),
    "place": ("plats", "Plats"),
    "description": ("beskrivning", "Beskrivning"),
    "source": ("kalla", "Källa"),
    "reason": ("anledning", "Anledning"),
}
"""The domain's field -> the form's field id and label."""
KINDS = {
    PERSONAL_IDENTITY_NUMBER: "ett personnummer eller samordningsnummer",
    PHONE_NUMBER: "ett telefonnummer",
    EMAIL_ADDRESS: "en e-postadress",
}
FREE_TEXT = (("place", PLACE_MAX), ("description", REPORT_DESCRIPTION_MAX))
EMPTY = {"omrade": "", "kategori": "", "tidpunkt": "", "vecka": "", "antal": "1", "plats": "", "beskrivning": ""}
_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|T)(\d{1,2})[:.](\d{2})(?::\d{2})?$")
_WEEK = re.compile(r"^(?:(\d{4})\s*-?\s*)?(?:v(?:ecka)?\.?\s*|w)?(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the selects offer: the partnership's active areas (id, name) and categories (code, name).

    `names` holds every area's name by id (retired ones too) and every category's by code, to show a report.
    """

    areas: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    names: dict[str, str]
    sources: tuple[tuple[str, str], ...] = SOURCE_CHOICES


def _category_label(category: CategoryInfo, names: dict[str, str]) -> str:
    parent = names.get(category.parent or "")
    return f"{category.name_sv} ({parent.lower()})" if parent else category.name_sv


async def choices(catalogue: Catalogue, tenant: str) -> Choices:
    """The tenant's active areas by name and its categories (the defaults first), from the catalogue."""
    areas = await catalogue.areas(tenant)
    categories = await catalogue.categories(tenant)
    names = {c.code: c.name_sv for c in categories}
    active = [(str(a.id), a.name) for a in areas if not a.retired]
    labels = [(c.code, _category_label(c, names)) for c in categories]
    return Choices(active, labels, names | {str(a.id): a.name for a in areas} | dict(SOURCE_CHOICES))


def typed(form: Any) -> dict[str, str]:
    """What was typed in each of the form's fields (to show again), stripped."""
    values = {key: str(form.get(key) or "").strip() for key in (*EMPTY, "anledning")}
    values["kalla"] = str(form.get("kalla") or "own_observation")
    return values


def values_of(report: Any) -> dict[str, str]:
    """A stored report as the form's fields show it (the correction form starts from these)."""
    occurred = datetime.fromisoformat(report.occurred_at).astimezone(SWEDEN) if report.occurred_at else None
    return {
        "omrade": str(report.area_id),
        "kategori": report.category,
        "tidpunkt": occurred.strftime("%Y-%m-%d %H:%M") if occurred else "",
        "vecka": "" if occurred else report.week,
        "antal": str(report.count),
        "plats": report.place or "",
        "beskrivning": report.description or "",
        "kalla": report.source,
        "anledning": "",
    }


def _time(text: str) -> datetime | None:
    match = _TIME.match(text)
    if not match:
        return None
    try:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, tzinfo=SWEDEN)
    except ValueError:
        return None


def _week(text: str, now: datetime) -> str | None:
    match = _WEEK.match(text)
    if not match:
        return None
    year = match.group(1) or week_of(now)[:4]
    return f"{year}-W{int(match.group(2)):02d}"


def _free_text_error(label: str, text: str, max_length: int) -> str | None:
    if len(text) > max_length:
        return f"{label} får vara högst {max_length} tecken (nu {len(text)})"
    for kind in find_personal_data(text):
        return personal_data_message(label, kind)
    return None


def personal_data_message(label: str, kind: str) -> str:
    """The privacy guard's refusal in words a reporter can act on."""
    what = KINDS.get(kind, "personuppgifter")
    return f"{label} ser ut att innehålla {what}. Ta bort det – rapporter handlar om platser, inte om personer"


def read(values: dict[str, str], now: datetime, *, reason: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """The facts Report.submit takes, and field id -> message for everything wrong (in the form's order)."""
    errors: dict[str, str] = {}
    facts: dict[str, Any] = {"source": values["kalla"]}
    try:
        facts["area_id"] = UUID(values["omrade"])
    except ValueError:
        errors["omrade"] = "Välj vilket område rapporten gäller"
    if not values["kategori"]:
        errors["kategori"] = "Välj en kategori"
    facts["category"] = values["kategori"]
    time_text, week_text = values["tidpunkt"], values["vecka"]
    facts["occurred_at"] = facts["week"] = None
    if time_text and week_text:
        errors["tidpunkt"] = "Fyll i antingen Tidpunkt eller Vecka, inte båda"
    elif time_text:
        facts["occurred_at"] = _time(time_text)
        if facts["occurred_at"] is None:
            errors["tidpunkt"] = "Skriv tidpunkten som datum och klockslag, till exempel 2026-11-20 21:30"
    elif week_text:
        facts["week"] = _week(week_text, now)
        if facts["week"] is None:
            errors["vecka"] = "Skriv veckan som veckonummer, till exempel 47 eller 2026-W47"
    else:
        errors["tidpunkt"] = "Ange när det hände: en tidpunkt, eller veckan om du inte vet dagen"
    count = values["antal"] or "1"
    if not count.isdigit():
        errors["antal"] = f"Antal måste vara ett heltal mellan 1 och {MAX_COUNT:,}".replace(",", " ")
    elif not 1 <= int(count) <= MAX_COUNT:
        errors["antal"] = f"Antal måste vara mellan 1 och {MAX_COUNT:,}".replace(",", " ")
    else:
        facts["count"] = int(count)
    for field, max_length in FREE_TEXT:
        form_id, label = FIELDS[field]
        facts[field] = values[form_id] or None
        if message := _free_text_error(label, values[form_id], max_length):
            errors[form_id] = message
    if reason:
        errors.update(reason_errors(values["anledning"], "anledning"))
    return facts, errors


def reason_errors(text: str, form_id: str) -> dict[str, str]:
    """A reason (for a correction or a retraction) is required, short, and free of personal data."""
    if not text:
        return {form_id: "Skriv varför, till exempel vad som var fel"}
    message = _free_text_error("Anledningen", text, REASON_MAX)
    return {form_id: message} if message else {}


def refusal(error: Invalid, reason_id: str = "anledning") -> dict[str, str]:
    """A refusal of the domain's (or the reference checks') as field id -> message in Swedish."""
    field = error.field.removeprefix("changes.")
    form_id, label = FIELDS.get(field, ("omrade", "Uppgiften"))
    if field == "reason":
        form_id = reason_id
    problem = error.problem
    if isinstance(error, PersonalDataFound):
        message = personal_data_message(label, error.kind)
    elif field == "changes" or "nothing would change" in problem:
        form_id, message = "omrade", "Inget skulle ändras: ändra minst en uppgift, eller låt rapporten vara"
    elif "in the future" in problem:
        message = f"{label} ligger i framtiden. Ange när det hände – senast nu"
    elif field == "area_id":
        message = "Välj ett av områdena i listan (det valda finns inte, eller är avvecklat)"
    elif field == "category":
        message = "Välj en av kategorierna i listan"
    elif field == "week":
        message = "Det finns ingen sådan vecka. Skriv veckonumret, till exempel 47 eller 2026-W47"
    elif field == "occurred_at" and "years" in problem:
        message = "Tidpunkten måste ligga mellan år 1900 och 2999"
    elif "format characters" in problem:
        message = f"{label} får inte innehålla osynliga tecken (som mellanslag utan bredd eller mjuka bindestreck)"
    elif "empty" in problem:
        message = f"Fyll i {label.lower()}"
    else:
        message = f"{label} kan inte tas emot. Kontrollera uppgiften och försök igen"
    return {form_id: message}
