"""Tamper evidence: recompute each tenant's hash chain over the stored events (migration 0004).

The database makes a link for every stored event; this module trusts nothing of it but the
stored bytes: it recomputes every digest and link in Python and compares. A record changed
behind the service's back, a link changed, an event removed or slipped in: the first position
where the chain no longer holds is named. An attacker able to rewrite the whole chain from the
changed event on would go unnoticed here, which is why the head is exported
(`lagesbild audit head`) and kept outside the system: `verify(..., expected_head=...)` checks
that the chain still passes through it.

`verify(..., start=...)` goes on from a link verified before (service/store/verifications.py):
it recomputes that one link from its predecessor's stored link, then only the links after it.
Records before it are not looked at again; a verification from the first event is.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from projections.generations import Connection

GENESIS = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BATCH = 5000
_ROWS_SQL = """
SELECT c.position, c.link, s.notification_id IS NOT NULL AS present, s.originator_id, s.originator_version,
    s.topic, s.state, s.recorded_at
FROM event_chain c LEFT JOIN stored_events s ON s.notification_id = c.position
WHERE c.tenant = $1 AND c.position > $2 ORDER BY c.position LIMIT $3
"""
# Events that have no link at all (slipped in with the chain's trigger disabled). They belong
# to no tenant's chain, so every tenant's check reports the first of them.
# Both sides bounded by $1, so that the plan reads what is new, not the whole chain.
_UNLINKED_SQL = """
SELECT min(s.notification_id) FROM stored_events s
WHERE s.notification_id > $1
    AND NOT EXISTS (SELECT 1 FROM event_chain c WHERE c.position = s.notification_id AND c.position > $1)
"""
# A link verified before, its record and its predecessor's stored link: is it still on the chain?
_START_SQL = """
SELECT c.link, s.notification_id IS NOT NULL AS present, s.originator_id, s.originator_version, s.topic, s.state,
    s.recorded_at, (SELECT p.link FROM event_chain p WHERE p.tenant = $1 AND p.position < $2
                    ORDER BY p.position DESC LIMIT 1) AS previous
FROM event_chain c LEFT JOIN stored_events s ON s.notification_id = c.position
WHERE c.tenant = $1 AND c.position = $2
"""
# A waypoint (a kept head, the last verified link) whose link differs, or that was never reached.
_PAST_EXPECTED = "the chain no longer passes the kept head"
_PAST_PASSES = "the chain no longer passes the last verified link"
_GONE = {_PAST_EXPECTED: "the kept head is no longer in the chain", _PAST_PASSES: _PAST_PASSES}


def digest(
    tenant: str,
    position: int,
    originator_id: UUID,
    version: int,
    topic: str | None,
    recorded_at: datetime,
    state: bytes,
) -> bytes:
    """The digest of one stored record, as lagesbild_chain_digest makes it."""
    micros = (recorded_at - _EPOCH) // timedelta(microseconds=1)
    head = f"{tenant}\n{position}\n{originator_id}\n{version}\n{topic or ''}\n{micros}\n".encode()
    return hashlib.sha256(head + state).digest()


def link(previous: bytes, record_digest: bytes) -> bytes:
    """The next link of a chain."""
    return hashlib.sha256(previous + record_digest).digest()


@dataclass(frozen=True)
class Head:
    """Where a tenant's chain ends: the position of its last event and that event's link (hex)."""

    tenant: str
    position: int
    link: str


@dataclass(frozen=True)
class Verification:
    """The outcome: `ok`, how many events were checked, the head reached, the first bad position.

    `verified_from`: the position the check started after (0: from the tenant's first event).
    """

    ok: bool
    checked: int
    head: Head | None
    first_mismatch: int | None
    problem: str | None = None
    verified_from: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (`GET /api/v1/audit/verify`, `lagesbild audit verify`)."""
        return asdict(self)


async def heads(conn: Connection, tenant: str | None = None) -> list[Head]:
    """The stored heads, of one tenant or of all."""
    rows = await conn.fetch(
        "SELECT tenant, position, link FROM chain_heads WHERE $1::text IS NULL OR tenant = $1 ORDER BY tenant", tenant
    )
    return [Head(r["tenant"], r["position"], bytes(r["link"]).hex()) for r in rows]


def _record_digest(tenant: str, position: int, row: Any) -> bytes:
    return digest(
        tenant,
        position,
        row["originator_id"],
        row["originator_version"],
        row["topic"],
        row["recorded_at"],
        bytes(row["state"] or b""),
    )


async def _start_problem(conn: Connection, start: Head) -> str | None:
    """Why `start` (a link verified before) is no longer a place to go on from, or None: it still is.

    Its record must still hash, on its predecessor's stored link, to the same link the chain holds.
    The predecessor's link is taken as stored: that part of the chain was verified before.
    """
    row = await conn.fetchrow(_START_SQL, start.tenant, start.position)
    if row is None or bytes(row["link"]).hex() != start.link:
        return "the chain no longer passes the last verified link"
    if not row["present"]:
        return "the event at this position is missing"
    previous = bytes(row["previous"]) if row["previous"] is not None else GENESIS
    if link(previous, _record_digest(start.tenant, start.position, row)).hex() != start.link:
        return "the stored record does not match its link"
    return None


async def verify(
    conn: Connection,
    tenant: str,
    expected_head: Head | None = None,
    *,
    start: Head | None = None,
    passes: Head | None = None,
) -> Verification:
    """Recompute `tenant`'s chain from its first event, or from after `start`; compare every link and the stored head.

    `expected_head` (exported earlier) and `passes` (the last verified link) must be on the way;
    both must lie after `start`. Run it in one snapshot (repeatable read), or events appended
    while it runs may look like a head out of place.
    """
    head: Head | None = None  # the last link that held
    checked, after = 0, 0
    if start is not None:
        problem = await _start_problem(conn, start)
        if problem is not None:
            return Verification(False, 0, None, start.position, problem, start.position)
        head, after = start, start.position
    verified_from = after
    waypoints = [(h, m) for h, m in ((expected_head, _PAST_EXPECTED), (passes, _PAST_PASSES)) if h is not None]
    passed: set[str] = set()
    while True:
        rows = await conn.fetch(_ROWS_SQL, tenant, after, _BATCH)
        for row in rows:
            after = row["position"]
            if not row["present"]:
                return Verification(False, checked, head, after, "the event at this position is missing", verified_from)
            expected = link(bytes.fromhex(head.link) if head else GENESIS, _record_digest(tenant, after, row))
            if bytes(row["link"]) != expected:
                problem = "the stored record does not match its link"
                return Verification(False, checked, head, after, problem, verified_from)
            head, checked = Head(tenant, after, expected.hex()), checked + 1
            for waypoint, problem in waypoints:
                if after == waypoint.position:
                    if head != waypoint:
                        return Verification(False, checked, head, after, problem, verified_from)
                    passed.add(problem)
        if len(rows) < _BATCH:
            break
    unlinked = await conn.fetchval(_UNLINKED_SQL, verified_from)
    if unlinked is not None:
        return Verification(False, checked, head, int(unlinked), "an event was stored without a link", verified_from)
    stored = await heads(conn, tenant)
    if (stored[0] if stored else None) != head:
        at = stored[0].position if stored else after
        return Verification(False, checked, head, at, "the stored head is not where the chain ends", verified_from)
    for waypoint, problem in waypoints:
        if problem not in passed:
            return Verification(False, checked, head, waypoint.position, _GONE[problem], verified_from)
    return Verification(True, checked, head, None, None, verified_from)
