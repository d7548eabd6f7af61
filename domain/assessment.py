"""The Assessment aggregate: a coordinator's level and summary for one area and one ISO week."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.area import NAMESPACE
from domain.errors import Invalid, InvalidTransition
from domain.limits import SUMMARY_MAX
from domain.text import required_text

LEVELS = ("green", "yellow", "red")


class Assessment(Aggregate):
    """Drafted, then published; a published revision is superseded by a new one, never edited."""

    class Drafted(Aggregate.Created):
        """The first draft for the area and week."""

        tenant: str
        area_id: UUID
        week: str
        revision: int
        level: str
        summary: str
        by: str
        org: str

    class DraftSaved(Aggregate.Event):
        """A draft was edited (or, after a publication, the next revision begun)."""

        revision: int
        level: str
        summary: str
        by: str
        org: str
        tenant: str

    class Published(Aggregate.Event):
        """The draft became the published assessment, superseding earlier revisions."""

        area_id: UUID
        week: str
        revision: int
        level: str
        summary: str
        by: str
        org: str
        tenant: str

    @staticmethod
    def create_id(tenant: str, area_id: UUID, week: str) -> UUID:
        """One assessment per tenant, area and week."""
        return assessment_id(tenant, area_id, week)

    @event(Drafted)
    def __init__(
        self,
        tenant: str,
        area_id: UUID,
        week: str,
        revision: int,
        level: str,
        summary: str,
        by: str,
        org: str,
    ) -> None:
        self.tenant, self.area_id, self.week = tenant, area_id, week
        self.draft: dict[str, object] | None = {"revision": revision, "level": level, "summary": summary}
        self.published: dict[str, object] | None = None

    @classmethod
    def start(cls, actor: Actor, area_id: UUID, week: str, level: str, summary: str) -> Assessment:
        """The first draft for this area and week (the service checked area and week)."""
        return cls(
            tenant=actor.tenant,
            area_id=area_id,
            week=week,
            revision=1,
            level=_level(level),
            summary=required_text("summary", summary, SUMMARY_MAX),
            by=actor.user,
            org=actor.org,
        )

    @property
    def next_revision(self) -> int:
        """The revision a draft saved now belongs to."""
        if self.draft is not None:
            return int(str(self.draft["revision"]))
        assert self.published is not None
        return int(str(self.published["revision"])) + 1

    def save_draft(self, actor: Actor, level: str, summary: str) -> None:
        """Edit the draft; after a publication this starts the next revision."""
        level, summary = _level(level), required_text("summary", summary, SUMMARY_MAX)
        if self.draft is not None and (self.draft["level"], self.draft["summary"]) == (level, summary):
            raise Invalid("summary", "the draft says this already")
        self._draft_saved(
            revision=self.next_revision,
            level=level,
            summary=summary,
            by=actor.user,
            org=actor.org,
            tenant=self.tenant,
        )

    def publish(self, actor: Actor) -> None:
        """Publish the draft; it becomes the area's assessment for the week."""
        if self.draft is None:
            raise InvalidTransition("there is no draft to publish: save a draft first")
        self._published(
            area_id=self.area_id,
            week=self.week,
            revision=self.draft["revision"],
            level=self.draft["level"],
            summary=self.draft["summary"],
            by=actor.user,
            org=actor.org,
            tenant=self.tenant,
        )

    @event(DraftSaved)
    def _draft_saved(self, revision: int, level: str, summary: str, by: str, org: str, tenant: str) -> None:
        self.draft = {"revision": revision, "level": level, "summary": summary}

    @event(Published)
    def _published(
        self, area_id: UUID, week: str, revision: object, level: object, summary: object, by: str, org: str, tenant: str
    ) -> None:
        self.published = {"revision": revision, "level": level, "summary": summary}
        self.draft = None


def assessment_id(tenant: str, area_id: UUID, week: str) -> UUID:
    """The id of the assessment of `area_id` for `week` in `tenant`."""
    return uuid5(NAMESPACE, f"{tenant}/assessment/{area_id}/{week}")


def _level(level: str) -> str:
    if level not in LEVELS:
        raise Invalid("level", f"must be one of {', '.join(LEVELS)}")
    return level
