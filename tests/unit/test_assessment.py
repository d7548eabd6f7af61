"""The Assessment aggregate, given/when/then: drafts, publication, revisions, refusals."""

from __future__ import annotations

import pytest

from domain.assessment import Assessment, assessment_id
from domain.errors import Invalid, InvalidTransition, PersonalDataFound
from tests.unit.givens import MUNICIPALITY, POLICE, RASLATT, new_events


def _draft() -> Assessment:
    assessment = Assessment.start(MUNICIPALITY, RASLATT, "2026-W47", "yellow", "Mer klotter än vanligt")
    new_events(assessment)
    return assessment


def test_the_first_draft_is_revision_one_with_an_id_from_area_and_week() -> None:
    assessment = Assessment.start(MUNICIPALITY, RASLATT, "2026-W47", "yellow", "Mer klotter än vanligt")
    [drafted] = new_events(assessment)
    assert isinstance(drafted, Assessment.Drafted)
    assert (drafted.revision, drafted.level) == (1, "yellow")
    assert assessment.id == assessment_id("jonkoping", RASLATT, "2026-W47")


def test_editing_a_draft_keeps_its_revision() -> None:
    assessment = _draft()
    assessment.save_draft(POLICE, "red", "Bränder i källarförråd")
    [saved] = new_events(assessment)
    assert isinstance(saved, Assessment.DraftSaved)
    assert (saved.revision, saved.level, assessment.published) == (1, "red", None)


def test_publishing_makes_the_draft_the_assessment() -> None:
    assessment = _draft()
    assessment.publish(MUNICIPALITY)
    [published] = new_events(assessment)
    assert isinstance(published, Assessment.Published)
    assert (published.revision, published.level, published.summary) == (1, "yellow", "Mer klotter än vanligt")
    assert assessment.draft is None


def test_a_published_assessment_is_superseded_by_a_new_revision_never_changed() -> None:
    assessment = _draft()
    assessment.publish(MUNICIPALITY)
    new_events(assessment)
    assessment.save_draft(MUNICIPALITY, "red", "Läget har förvärrats")
    [saved] = new_events(assessment)
    assert saved.revision == 2
    assert assessment.published == {"revision": 1, "level": "yellow", "summary": "Mer klotter än vanligt"}
    assessment.publish(MUNICIPALITY)
    assert assessment.published == {"revision": 2, "level": "red", "summary": "Läget har förvärrats"}


def test_publishing_without_a_draft_is_refused() -> None:
    assessment = _draft()
    assessment.publish(MUNICIPALITY)
    with pytest.raises(InvalidTransition):
        assessment.publish(MUNICIPALITY)


@pytest.mark.parametrize(
    ("level", "summary", "field"),
    [("orange", "x", "level"), ("red", "", "summary"), ("yellow", "Mer klotter än vanligt", "summary")],
)
def test_a_draft_is_refused_for_bad_or_unchanged_values(level: str, summary: str, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        _draft().save_draft(POLICE, level, summary)
    assert refused.value.field == field


def test_personal_data_in_a_summary_is_refused() -> None:
    with pytest.raises(PersonalDataFound):
        Assessment.start(MUNICIPALITY, RASLATT, "2026-W47", "red", "Kontakta info@example.se")
