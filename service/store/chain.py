"""Tamper evidence: recompute each tenant's hash chain over the stored events (migration 0004).

The database makes a link for every stored event; this module trusts nothing of it but the
stored bytes: it recomputes every digest and link in Python and compares. A record changed
behind the service's back, a link changed, an event removed or slipped in: the first position
where the chain no longer holds is named. An attacker able to rewrite the whole chain from the
changed event on would go unnoticed here, which is why the head is exported
(`lagesbild audit head`) and kept outside the system: `verify(..., expected_head=...)` checks
that the chain still passes through it.
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
_UNLINKED_SQL = """
SELECT min(s.notification_id) FROM stored_events s
WHERE NOT EXISTS (SELECT 1 FROM event_chain c WHERE c.position = s.notification_id)
"""


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
    """The outcome: `ok`, how many events were checked, the head reached, the first bad position."""

    ok: bool
    checked: int
    head: Head | None
    first_mismatch: int | None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (`GET /api/v1/audit/verify`, `lagesbild audit verify`)."""
        return asdict(self)


async def heads(conn: Connection, tenant: str | None = None) -> list[Head]:
    """The stored heads, of one tenant or of all."""
    rows = await conn.fetch(
        "SELECT tenant, position, link FROM chain_heads WHERE $1::text IS NULL OR tenant = $1 ORDER BY tenant", tenant
    )
    return [Head(r["tenant"], r["position"], bytes(r["link"]).hex()) for r in rows]


async def verify(conn: Connection, tenant: str, expected_head: Head | None = None) -> Verification:
    """Recompute `tenant`'s chain from its first event; compare every link and the stored head."""
    head: Head | None = None  # the last link that held
    checked, after = 0, 0
    passed_expected = expected_head is None
    while True:
        rows = await conn.fetch(_ROWS_SQL, tenant, after, _BATCH)
        for row in rows:
            after = row["position"]
            if not row["present"]:
                return Verification(False, checked, head, after, "the event at this position is missing")
            record = digest(
                tenant,
                after,
                row["originator_id"],
                row["originator_version"],
                row["topic"],
                row["recorded_at"],
                bytes(row["state"] or b""),
            )
            expected = link(bytes.fromhex(head.link) if head else GENESIS, record)
            if bytes(row["link"]) != expected:
                return Verification(False, checked, head, after, "the stored record does not match its link")
            head, checked = Head(tenant, after, expected.hex()), checked + 1
            if expected_head is not None and after == expected_head.position:
                if head != expected_head:
                    return Verification(False, checked, head, after, "the chain no longer passes the kept head")
                passed_expected = True
        if len(rows) < _BATCH:
            break
    unlinked = await conn.fetchval(_UNLINKED_SQL)
    if unlinked is not None:
        return Verification(False, checked, head, int(unlinked), "an event was stored without a link")
    stored = await heads(conn, tenant)
    if (stored[0] if stored else None) != head:
        at = stored[0].position if stored else after
        return Verification(False, checked, head, at, "the stored head is not where the chain ends")
    if not passed_expected:
        assert expected_head is not None
        return Verification(False, checked, head, expected_head.position, "the kept head is no longer in the chain")
    return Verification(True, checked, head, None)
