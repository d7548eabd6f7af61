"""The Action aggregate (insats): planned against problems in an area, run, and followed up."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import Invalid, InvalidTransition
from domain.limits import ACTION_DESCRIPTION_MAX, NOTE_MAX, ORG_MAX, REASON_MAX, TITLE_MAX
from domain.sealing import REDACTED
from domain.text import optional_text, required_text, texts_together

EFFECTS = ("improved", "unchanged", "worsened", "unknown")
# status -> the statuses it may move to
TRANSITIONS = {
    "planned": ("started", "cancelled"),
    "started": ("completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}
OPEN_STATUSES = ("planned", "started")


class Action(Aggregate):
    """An action one organisation is responsible for, linked to the reports it addresses."""

    class Planned(Aggregate.Created):
        """The action was planned."""

        sealed_fields = ("description",)
        tenant: str
        area_id: UUID
        title: str
        description: str | None
        responsible_org: str
        starts_on: str | None
        ends_on: str | None
        report_ids: list[UUID]
        categories: list[str]
        by: str
        org: str

    class StatusChanged(Aggregate.Event):
        """Base of the status events; `note` says how it went."""

        sealed_fields = ("note",)
        note: str | None
        by: str
        org: str
        tenant: str

    class Started(StatusChanged):
        """The action started."""

    class Completed(StatusChanged):
        """The action was carried out."""

    class Cancelled(StatusChanged):
        """The action was called off."""

    class FollowedUp(Aggregate.Event):
        """Someone recorded the effect seen so far."""

        sealed_fields = ("note",)
        effect: str
        note: str
        by: str
        org: str
        tenant: str

    class Redacted(Aggregate.Event):
        """The action's free text (description, notes) was destroyed: its status and links stay."""

        reason: str
        by: str
        org: str
        tenant: str

    @event(Planned)
    def __init__(
        self,
        tenant: str,
        area_id: UUID,
        title: str,
        description: str | None,
        responsible_org: str,
        starts_on: str | None,
        ends_on: str | None,
        report_ids: list[UUID],
        categories: list[str],
        by: str,
        org: str,
    ) -> None:
        self.tenant, self.area_id, self.title, self.description = tenant, area_id, title, description
        self.responsible_org, self.starts_on, self.ends_on = responsible_org, starts_on, ends_on
        self.report_ids, self.categories = report_ids, categories
        self.status = "planned"
        self.follow_ups = 0
        self.redacted = False

    @classmethod
    def plan(
        cls,
        actor: Actor,
        *,
        area_id: UUID,
        title: str,
        responsible_org: str,
        description: str | None = None,
        starts_on: date | None = None,
        ends_on: date | None = None,
        report_ids: list[UUID] | None = None,
        categories: list[str] | None = None,
    ) -> Action:
        """Plan an action; the service has checked that its area, reports and categories exist."""
        if starts_on and ends_on and ends_on < starts_on:
            raise Invalid("ends_on", "is before starts_on")
        title = required_text("title", title, TITLE_MAX)
        description = optional_text("description", description, ACTION_DESCRIPTION_MAX)
        responsible_org = required_text("responsible_org", responsible_org, ORG_MAX)
        texts_together(("title", title), ("description", description), ("responsible_org", responsible_org))
        return cls(
            tenant=actor.tenant,
            area_id=area_id,
            title=title,
            description=description,
            responsible_org=responsible_org,
            starts_on=starts_on.isoformat() if starts_on else None,
            ends_on=ends_on.isoformat() if ends_on else None,
            report_ids=list(dict.fromkeys(report_ids or [])),
            categories=list(dict.fromkeys(categories or [])),
            by=actor.user,
            org=actor.org,
        )

    def change_status(self, actor: Actor, status: str, note: str | None = None) -> None:
        """Move to `status` if the current status allows it (planned -> started -> completed)."""
        if status not in TRANSITIONS:
            raise Invalid("status", f"must be one of {', '.join(TRANSITIONS)}")
        self._refuse_if_redacted()
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransition(f"an action that is {self.status} cannot become {status}")
        note = optional_text("note", note, NOTE_MAX)
        if status == "started":
            self._started(note=note, by=actor.user, org=actor.org, tenant=self.tenant)
        elif status == "completed":
            self._completed(note=note, by=actor.user, org=actor.org, tenant=self.tenant)
        else:
            self._cancelled(note=note, by=actor.user, org=actor.org, tenant=self.tenant)

    def follow_up(self, actor: Actor, effect: str, note: str) -> None:
        """Record the effect seen so far; only for an action that has started."""
        if effect not in EFFECTS:
            raise Invalid("effect", f"must be one of {', '.join(EFFECTS)}")
        self._refuse_if_redacted()
        if self.status not in ("started", "completed"):
            raise InvalidTransition(f"an action that is {self.status} cannot be followed up")
        note = required_text("note", note, NOTE_MAX)
        self._followed_up(effect=effect, note=note, by=actor.user, org=actor.org, tenant=self.tenant)

    def redact(self, actor: Actor, reason: str) -> None:
        """Destroy the action's description and notes for good."""
        self._refuse_if_redacted()
        reason = required_text("reason", reason, REASON_MAX)
        self._redacted(reason=reason, by=actor.user, org=actor.org, tenant=self.tenant)

    def _refuse_if_redacted(self) -> None:
        # Its key is gone: a new note could not be sealed.
        if self.redacted:
            raise InvalidTransition("the action's text was redacted; it can no longer be changed")

    @event(Started)
    def _started(self, note: str | None, by: str, org: str, tenant: str) -> None:
        self.status = "started"

    @event(Completed)
    def _completed(self, note: str | None, by: str, org: str, tenant: str) -> None:
        self.status = "completed"

    @event(Cancelled)
    def _cancelled(self, note: str | None, by: str, org: str, tenant: str) -> None:
        self.status = "cancelled"

    @event(FollowedUp)
    def _followed_up(self, effect: str, note: str, by: str, org: str, tenant: str) -> None:
        self.follow_ups += 1

    @event(Redacted)
    def _redacted(self, reason: str, by: str, org: str, tenant: str) -> None:
        self.redacted = True
        self.description = REDACTED if self.description is not None else None
