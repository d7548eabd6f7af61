"""The use cases' refusals in Swedish (web app): a message beside its field, in words a person can act on."""

from __future__ import annotations

from domain.errors import Invalid, PersonalDataFound
from domain.privacy import EMAIL_ADDRESS, PERSONAL_IDENTITY_NUMBER, PHONE_NUMBER

PERSONAL_DATA = {
    PERSONAL_IDENTITY_NUMBER: "ett personnummer eller samordningsnummer",
    PHONE_NUMBER: "ett telefonnummer",
    EMAIL_ADDRESS: "en e-postadress",
}
"""What the privacy guard found, in words."""


def text_error(value: str, what: str, max_length: int, *, required: bool = True) -> str | None:
    """The message for a free-text answer that is missing or too long (the domain checks the rest)."""
    if required and not value.strip():
        return f"Ange {what}"
    if len(value.strip()) > max_length:
        return f"{what.capitalize()} får vara högst {max_length} tecken"
    return None


def refusal(error: Invalid, what: str) -> str:
    """The domain's refusal of the field `what` names, in Swedish (the privacy guard's above all)."""
    if isinstance(error, PersonalDataFound):
        found = PERSONAL_DATA.get(error.kind, "personuppgifter")
        together = " tillsammans med formulärets andra fält" if error.together_with else ""
        return (
            f"{what.capitalize()} ser ut att innehålla {found}{together}. Ta bort det: "
            "lägesbilden handlar om platser och situationer, aldrig om personer"
        )
    problem = error.problem
    if problem.startswith("must not be empty"):
        return f"Ange {what}"
    if problem.startswith("must be at most"):
        return f"{what.capitalize()} är för lång"
    if "format characters" in problem:
        invisible = "osynliga tecken (som mellanslag utan bredd eller mjuka bindestreck)"
        return f"{what.capitalize()} får inte innehålla {invisible}"
    if "control characters" in problem:
        return f"{what.capitalize()} får bara innehålla vanliga tecken, radbrytningar och tabbar"
    return f"Kontrollera {what}"
