"""Why the domain refuses a command: errors that name the field and the problem."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by the domain."""


class Invalid(DomainError):
    """A value is not acceptable; `field` names it (dotted path), `problem` says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


class PersonalDataFound(Invalid):
    """Free text holds what looks like personal data; `kind` says which kind."""

    def __init__(self, field: str, kind: str) -> None:
        super().__init__(field, f"looks like it contains {kind}; remove it (reports are about places, not people)")
        self.kind = kind


class InvalidTransition(DomainError):
    """The aggregate's state does not allow this command (e.g. completing a cancelled action)."""
