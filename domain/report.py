"""The Report aggregate: one situation report, submitted, corrected and perhaps retracted."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import Invalid, InvalidTransition
from domain.limits import PLACE_MAX, REASON_MAX, REPORT_DESCRIPTION_MAX
from domain.location import Location
from domain.report_fields import checked_count, checked_source, checked_when
from domain.sealing import REDACTED
from domain.text import optional_text, required_text, texts_together

CORRECTABLE = (
    "area_id",
    "category",
    "occurred_at",
    "week",
    "count",
    "place",
    "location",
    "description",
    "source",
)


class Report(Aggregate):
    """What a partner saw: where (area, place, coarse location), what (category, count), when."""

    class Submitted(Aggregate.Created):
        """A partner shared the report."""

        sealed_fields = ("place", "description")
        tenant: str
        area_id: UUID
        category: str
        occurred_at: str | None
        week: str
        count: int
        place: str | None
        location: dict[str, Any] | None
        description: str | None
        source: str
        by: str
        org: str

    class Corrected(Aggregate.Event):
        """Some facts changed: `changes` maps each field to its old and new value."""

        sealed_fields = ("reason", *(f"changes.{f}.{v}" for f in ("place", "description") for v in ("old", "new")))
        changes: dict[str, Any]
        reason: str
        by: str
        org: str
        tenant: str

    class Retracted(Aggregate.Event):
        """The report was withdrawn; it leaves the counts but stays in history."""

        sealed_fields = ("reason",)
        reason: str
        by: str
        org: str
        tenant: str

    class RetractedAfterRedaction(Aggregate.Event):
        """A redacted report was withdrawn; with its key gone, the reason (privacy-checked) is kept in clear."""

        reason: str
        by: str
        org: str
        tenant: str

    class Redacted(Aggregate.Event):
        """The report's free text was destroyed (its key shredded): the facts and counts stay."""

        reason: str
        by: str
        org: str
        tenant: str

    @event(Submitted)
    def __init__(
        self,
        tenant: str,
        area_id: UUID,
        category: str,
        occurred_at: str | None,
        week: str,
        count: int,
        place: str | None,
        location: dict[str, Any] | None,
        description: str | None,
        source: str,
        by: str,
        org: str,
    ) -> None:
        self.tenant, self.area_id, self.category = tenant, area_id, category
        self.occurred_at, self.week, self.count = occurred_at, week, count
        self.place, self.location, self.description, self.source = place, location, description, source
        self.submitted_by, self.org = by, org
        self.retracted = False
        self.redacted = False

    @classmethod
    def submit(
        cls,
        actor: Actor,
        *,
        now: datetime,
        area_id: UUID,
        category: str,
        occurred_at: datetime | None = None,
        week: str | None = None,
        count: int = 1,
        place: str | None = None,
        location: Location | None = None,
        description: str | None = None,
        source: str = "own_observation",
        report_id: UUID | None = None,
    ) -> Report:
        """Submit a report; refuse times in the future, personal data and bad values.

        `report_id` names the report when its id must follow from what it is (an imported row), else a new one.
        """
        when = checked_when(occurred_at, week, now)
        facts: dict[str, Any] = dict(
            tenant=actor.tenant,
            area_id=area_id,
            category=category,
            occurred_at=when[0],
            week=when[1],
            count=checked_count(count),
            place=optional_text("place", place, PLACE_MAX),
            location=location.as_dict() if location else None,
            description=optional_text("description", description, REPORT_DESCRIPTION_MAX),
            source=checked_source(source),
            by=actor.user,
            org=actor.org,
        )
        texts_together(("place", facts["place"]), ("description", facts["description"]))
        if report_id is None:
            return cls(**facts)
        return cls._create(cls.Submitted, id=report_id, **facts)

    def correct(self, actor: Actor, changes: dict[str, Any], reason: str, now: datetime) -> None:
        """Change some facts, saying why; the event keeps the old and the new values."""
        if self.retracted:
            raise InvalidTransition("a retracted report cannot be corrected")
        self._refuse_if_redacted()
        reason = required_text("reason", reason, REASON_MAX)
        new = self._checked(changes, now)
        texts_together(("reason", reason), *((f"changes.{f}", new[f]) for f in ("place", "description") if f in new))
        diff = {f: {"old": getattr(self, f), "new": v} for f, v in new.items() if getattr(self, f) != v}
        if not diff:
            raise Invalid("changes", "nothing would change")
        self._corrected(changes=diff, reason=reason, by=actor.user, org=actor.org, tenant=self.tenant)

    def retract(self, actor: Actor, reason: str) -> None:
        """Withdraw the report: it stays in history and leaves the counts."""
        if self.retracted:
            raise InvalidTransition("the report is retracted already")
        reason = required_text("reason", reason, REASON_MAX)
        # A redacted report's key is gone, so nothing can be sealed for it: its retraction keeps
        # the reason in clear, as its redaction did (withdrawing a report must stay possible).
        retracted = self._retracted_after_redaction if self.redacted else self._retracted
        retracted(reason=reason, by=actor.user, org=actor.org, tenant=self.tenant)

    def redact(self, actor: Actor, reason: str) -> None:
        """Destroy the report's free text for good (a coordinator's decision, or the retention period)."""
        self._refuse_if_redacted()
        reason = required_text("reason", reason, REASON_MAX)
        self._redacted(reason=reason, by=actor.user, org=actor.org, tenant=self.tenant)

    def _refuse_if_redacted(self) -> None:
        # Its key is gone: nothing new can be sealed for it, and its text is not to come back.
        if self.redacted:
            raise InvalidTransition("the report's text was redacted; it can no longer be changed")

    def _checked(self, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
        unknown = sorted(set(changes) - set(CORRECTABLE))
        if unknown:
            raise Invalid(f"changes.{unknown[0]}", "cannot be corrected")
        new: dict[str, Any] = {}
        if "occurred_at" in changes or "week" in changes:
            occurred_at, week = changes.get("occurred_at"), changes.get("week")
            new["occurred_at"], new["week"] = checked_when(occurred_at, week, now, prefix="changes.")
        for field, value in changes.items():
            if field == "area_id":
                new[field] = value  # the service checked that the area exists
            elif field == "category":
                new[field] = value  # likewise the category
            elif field == "count":
                new[field] = checked_count(value, "changes.count")
            elif field in ("place", "description"):
                new[field] = optional_text(
                    f"changes.{field}", value, PLACE_MAX if field == "place" else REPORT_DESCRIPTION_MAX
                )
            elif field == "location":
                new[field] = value.as_dict() if isinstance(value, Location) else None
            elif field == "source":
                new[field] = checked_source(value, "changes.source")
        return new

    @event(Corrected)
    def _corrected(self, changes: dict[str, Any], reason: str, by: str, org: str, tenant: str) -> None:
        for field, change in changes.items():
            setattr(self, field, change["new"])

    @event(Retracted)
    def _retracted(self, reason: str, by: str, org: str, tenant: str) -> None:
        self.retracted = True

    @event(RetractedAfterRedaction)
    def _retracted_after_redaction(self, reason: str, by: str, org: str, tenant: str) -> None:
        self.retracted = True

    @event(Redacted)
    def _redacted(self, reason: str, by: str, org: str, tenant: str) -> None:
        self.redacted = True
        self.place = REDACTED if self.place is not None else None
        self.description = REDACTED if self.description is not None else None


RETRACTIONS = (Report.Retracted, Report.RetractedAfterRedaction)  # what withdraws a report from the counts
