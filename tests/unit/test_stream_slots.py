"""Live streams per subject (no server): places taken, refused beyond the bound, given back once; and when they end."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException

from service.identity import Identity
from service.pages.session import signed_in
from service.web.stream_slots import StreamSlots

ONE = Identity("kommun-1", "jonkoping", "kommunen", frozenset({"reporter"}))
SAME_SUB_ELSEWHERE = Identity("kommun-1", "linkoping", "kommunen", frozenset({"reporter"}))


def test_a_subject_takes_places_up_to_the_bound_and_others_have_their_own() -> None:
    slots = StreamSlots(per_subject=2)
    slots.take(ONE)
    slots.take(ONE)

    with pytest.raises(TooManyRequestsException) as refused:
        slots.take(ONE)

    assert refused.value.headers == {"Retry-After": "5"}
    assert "LAGESBILD_MAX_STREAMS_PER_SUBJECT" in str(refused.value.detail)
    slots.take(SAME_SUB_ELSEWHERE)  # the same sub in another partnership is another subject
    assert (slots.held(ONE), slots.held(SAME_SUB_ELSEWHERE)) == (2, 1)


def test_a_place_given_back_twice_is_given_back_once() -> None:
    slots = StreamSlots(per_subject=2)
    first, _second = slots.take(ONE), slots.take(ONE)

    first.release()
    first.release()

    assert slots.held(ONE) == 1
    slots.take(ONE)
    assert slots.held(ONE) == 2


def test_a_token_identity_never_ends_unless_told_and_a_session_ends_with_the_session() -> None:
    assert ONE.expires == float("inf")
    expires = int(time.time()) + 60
    session: dict[str, Any] = {
        "sub": "kommun-1", "tenant": "jonkoping", "org": "kommunen", "roles": ["reporter"], "expires": expires,
    }  # fmt: skip
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection({"type": "http", "session": session})  # type: ignore[arg-type]

    identity = signed_in(connection)

    assert identity is not None
    assert identity.expires == expires
