"""Sealed free text, given/when/then: redacting reports and actions, and the codec's envelopes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from domain.action import Action
from domain.codec import make_mapper
from domain.errors import InvalidTransition
from domain.report import Report
from domain.sealing import REDACTED, new_key, redact, seal, unseal
from tests.unit.givens import MUNICIPALITY, NOW, new_events, planned_action, submitted_report

PATHS = ("note", "changes.place.old", "changes.place.new", "missing.path")


def test_sealed_text_opens_with_its_key_and_reads_redacted_without() -> None:
    state: dict[str, Any] = {"note": "Trasig lampa", "changes": {"place": {"old": None, "new": "Torget"}}, "n": 3}
    key = new_key()
    sealed = seal(state, PATHS, key)
    assert "Trasig lampa" not in json.dumps(sealed)
    assert "Torget" not in json.dumps(sealed)
    assert sealed["changes"]["place"]["old"] is None  # no text, nothing sealed
    assert state["note"] == "Trasig lampa"  # the original is left alone
    opened = json.loads(json.dumps(sealed))
    unseal(opened, PATHS, key)
    assert opened == state
    shredded = json.loads(json.dumps(sealed))
    unseal(shredded, PATHS, None)
    assert shredded == {"note": REDACTED, "changes": {"place": {"old": None, "new": REDACTED}}, "n": 3}
    assert redact(state, PATHS) == shredded


def test_sealed_text_is_the_librarys_format_both_ways() -> None:
    key = new_key()
    library = AESCipher(Environment(env={AESCipher.CIPHER_KEY: base64.b64encode(key).decode()}))
    by_library: dict[str, Any] = {
        "note": {"sealed": base64.b64encode(library.encrypt("Källarförråd".encode())).decode()}
    }
    unseal(by_library, ("note",), key)
    assert by_library == {"note": "Källarförråd"}
    ours = seal({"note": "Cykelrum"}, ("note",), key)
    assert library.decrypt(base64.b64decode(ours["note"]["sealed"])).decode() == "Cykelrum"
    other_key = seal({"note": "Cykelrum"}, ("note",), new_key())
    with pytest.raises(ValueError, match="Invalid cipher tag"):
        unseal(other_key, ("note",), key)
    with pytest.raises(ValueError, match="Damaged"):
        unseal({"note": {"sealed": base64.b64encode(b"kort").decode()}}, ("note",), key)


def test_the_codec_seals_a_reports_text_and_needs_its_key_to_store_it() -> None:
    report = Report.submit(
        MUNICIPALITY, now=NOW, area_id=submitted_report().area_id, category="klotter", week="2026-W47",
        place="Gångtunneln", description="Klotter på väggarna",
    )  # fmt: skip
    [submitted] = new_events(report)
    mapper, key = make_mapper(), new_key()
    with pytest.raises(ValueError, match="needs its aggregate's key"):
        mapper.to_stored_event(submitted)
    stored = mapper.to_stored_event(submitted, key)
    assert b"Klotter" not in stored.state
    assert "Gångtunneln".encode() not in stored.state
    assert b"klotter" in stored.state  # the category is no free text: it stays readable (and counts)
    back: Any = mapper.to_domain_event(stored, key)
    assert (back.place, back.description) == ("Gångtunneln", "Klotter på väggarna")
    gone: Any = mapper.to_domain_event(stored, None)
    assert (gone.place, gone.description, gone.count, gone.category) == (REDACTED, REDACTED, 1, "klotter")


def test_redacting_a_report_destroys_its_text_and_closes_it() -> None:
    report = submitted_report()
    report.redact(MUNICIPALITY, "gallring på begäran")
    [redacted] = new_events(report)
    assert isinstance(redacted, Report.Redacted)
    assert (redacted.reason, redacted.by, redacted.org) == ("gallring på begäran", "kommun-1", "kommunen")
    assert (report.place, report.description, report.count, report.redacted) == (REDACTED, REDACTED, 2, True)
    with pytest.raises(InvalidTransition, match="redacted"):
        report.correct(MUNICIPALITY, {"count": 3}, "fel", NOW)
    with pytest.raises(InvalidTransition, match="redacted"):
        report.redact(MUNICIPALITY, "igen")
    assert new_events(report) == []


def test_redacting_an_action_closes_it_for_new_notes() -> None:
    action = planned_action("started")
    action.redact(MUNICIPALITY, "gallring")
    assert isinstance(new_events(action)[0], Action.Redacted)
    assert (action.redacted, action.status, action.description) == (True, "started", None)
    with pytest.raises(InvalidTransition, match="redacted"):
        action.follow_up(MUNICIPALITY, "improved", "Bättre")
    with pytest.raises(InvalidTransition, match="redacted"):
        action.change_status(MUNICIPALITY, "completed", "Klart")
