"""Stored idempotency keys: a hash of length-prefixed parts, so that no cut of the same characters meets another."""

from __future__ import annotations

from service.idempotency import IdempotentRequest, scoped_key
from service.identity import Identity


def test_the_issues_cuts_give_different_keys() -> None:
    assert scoped_key("jonkoping", "p1/x", "K") != scoped_key("jonkoping", "p1", "x/K")
    assert scoped_key("jonkoping/u", "Z", "K") != scoped_key("jonkoping", "u/Z", "K")


def test_every_cut_of_one_string_into_three_parts_gives_its_own_key() -> None:
    text = "ab/c/d"
    cuts = {(text[:i], text[i:j], text[j:]) for i in range(len(text) + 1) for j in range(i, len(text) + 1)}
    assert len({scoped_key(*cut) for cut in cuts}) == len(cuts)


def test_the_same_caller_and_key_give_the_same_stored_key() -> None:
    caller = Identity("p1", "jonkoping", "polisen", frozenset({"reporter"}))
    request = IdempotentRequest("K", "POST /api/v1/reports", b"{}")
    assert request.scoped_key(caller) == scoped_key("jonkoping", "p1", "K")


def test_the_fingerprint_binds_route_and_body() -> None:
    report = IdempotentRequest("K", "POST /api/v1/reports", b'{"count":1}')
    assert report.fingerprint == IdempotentRequest("K2", "POST /api/v1/reports", b'{"count":1}').fingerprint
    assert report.fingerprint != IdempotentRequest("K", "POST /api/v1/reports", b'{"count":2}').fingerprint
    assert report.fingerprint != IdempotentRequest("K", "POST /api/v1/actions", b'{"count":1}').fingerprint
    # the boundary between route and body is part of what is hashed
    assert IdempotentRequest("K", "POST /a", b"b").fingerprint != IdempotentRequest("K", "POST /", b"ab").fingerprint
