"""The last verified link of each tenant's chain (migration 0010): `GET /audit/verify` goes on from it.

A verification that held keeps the head it reached; the next one starts after it, once it has
checked that the link is still on the chain (service/store/chain.py), so a call costs what was
appended since. It does not look at the records before the kept link again: `from_start=True`
does, and then also checks that the chain still passes the kept link. A verification that did
not hold keeps nothing. Concurrent calls are safe: each verifies in one snapshot and moves the
kept link on only from the link it started with (compare and set), so the kept link only ever
moves to a head that a verification reached from it.
"""

from __future__ import annotations

from projections.generations import Connection
from service.store import chain

_KEPT_SQL = "SELECT position, link FROM chain_verifications WHERE tenant = $1"
# Inserted when there was none; moved on only if still the link this verification started with.
_KEEP_SQL = """
INSERT INTO chain_verifications AS v (tenant, position, link, verified_at) VALUES ($1, $2, $3, now())
ON CONFLICT (tenant) DO UPDATE SET position = excluded.position, link = excluded.link, verified_at = now()
WHERE v.position = $4 AND v.link = $5
"""


async def last_verified(conn: Connection, tenant: str) -> chain.Head | None:
    """The tenant's last verified link, if a verification kept one."""
    row = await conn.fetchrow(_KEPT_SQL, tenant)
    return chain.Head(tenant, row["position"], bytes(row["link"]).hex()) if row else None


async def verify(
    conn: Connection, tenant: str, expected_head: chain.Head | None = None, *, from_start: bool = False
) -> chain.Verification:
    """Verify `tenant`'s chain from its last verified link (or its first event); keep the head if it held.

    A kept head from outside (`expected_head`) at or before the last verified link is checked by
    a verification from the first event: the links up to it are recomputed, not taken as kept.
    """
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        kept = await last_verified(conn, tenant)
        resume = kept is not None and not from_start
        if kept is not None and expected_head is not None and expected_head.position <= kept.position:
            resume = False
        if resume:
            result = await chain.verify(conn, tenant, expected_head, start=kept)
        else:
            result = await chain.verify(conn, tenant, expected_head, passes=kept)
    if result.ok and result.head is not None:
        await conn.execute(
            _KEEP_SQL,
            tenant,
            result.head.position,
            bytes.fromhex(result.head.link),
            kept.position if kept else None,
            bytes.fromhex(kept.link) if kept else None,
        )
    return result
