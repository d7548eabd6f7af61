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
    """Free text holds what looks like personal data; `kind` says which kind.

    `together_with` names the other fields of the request it was found in when read with them.
    """

    def __init__(self, field: str, kind: str, together_with: tuple[str, ...] = ()) -> None:
        read = f" when read together with {', '.join(together_with)}" if together_with else ""
        super().__init__(
            field, f"looks like it contains {kind}{read}; remove it (reports are about places, not people)"
        )
        self.kind, self.together_with = kind, together_with


class InvalidTransition(DomainError):
    """The aggregate's state does not allow this command (e.g. completing a cancelled action)."""
