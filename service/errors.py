"""The use cases' own errors (what went wrong, not how HTTP says it): web/problems.py maps each to its status."""

from __future__ import annotations


class NotFound(LookupError):
    """Nothing by that id exists for the caller (another tenant's things do not exist for it either)."""


class AlreadyExists(Exception):
    """What a create would make exists already."""


class IdempotencyKeyMismatch(Exception):
    """The Idempotency-Key was used before for another request (another body or route): nothing was stored."""


class StaleVersion(Exception):
    """The caller named a version (If-Match) the thing is no longer at: nothing was stored."""


class Forbidden(PermissionError):
    """The caller may not do this (its roles, or it is another organisation's)."""


class LimitReached(Exception):
    """The partnership has as many of these as a setting allows: nothing was stored."""
