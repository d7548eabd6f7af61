"""The read log as auditors query it: a tenant's reads, filtered, in the order they happened, in keyset pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from domain.errors import Invalid
from projections.generations import Connection

MAX_LIMIT = 500


class ReadEntry(msgspec.Struct):
    """One recorded read: who, which resource by which route and parameters, when, with which status."""

    id: int
    read_at: datetime
    tenant: str
    actor: str
    org: str
    roles: list[str]
    resource: str
    resource_id: str | None
    route: str
    path_params: dict[str, str]
    query_params: dict[str, str | list[str]]
    status: int


async def reads(
    conn: Connection,
    tenant: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    org: str | None = None,
    resource: str | None = None,
    resource_id: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> tuple[list[ReadEntry], str | None]:
    """Reads in the order they happened (read_at, then id); `after` is the previous page's next_cursor.

    A record is written a fraction of a second after its read (longer while the database is
    away), so one may still appear before a cursor taken at the newest entries: to follow the
    log, ask only `to` a little while ago.
    """
    # Only the filters given go into the statement: a generic plan of `($n IS NULL OR col = $n)`
    # could not choose the actor, resource or resource_id index.
    conditions: list[str] = ["tenant = $1"]
    args: list[Any] = [tenant]
    filters: list[tuple[str, Any]] = [
        ("read_at >= ${}", since),
        ("read_at < ${}", until),
        ("actor = ${}", actor),
        ("org = ${}", org),
        ("resource = ${}", resource),
        ("resource_id = ${}", resource_id),
    ]
    for condition, value in filters:
        if value is not None:
            args.append(value)
            conditions.append(condition.format(len(args)))
    if after is not None:
        read_at = await conn.fetchval("SELECT read_at FROM read_log WHERE tenant = $1 AND id = $2", tenant, after)
        if read_at is None:
            raise Invalid("after", "is not a next_cursor of this read log")
        args += [read_at, after]
        conditions.append(f"(read_at, id) > (${len(args) - 1}, ${len(args)})")
    args.append(limit + 1)
    rows = await conn.fetch(
        f"SELECT * FROM read_log WHERE {' AND '.join(conditions)} ORDER BY read_at, id LIMIT ${len(args)}", *args
    )
    entries = [_entry(r) for r in rows[:limit]]
    return entries, str(entries[-1].id) if len(rows) > limit else None


def _entry(row: Any) -> ReadEntry:
    return ReadEntry(
        id=row["id"],
        read_at=row["read_at"],
        tenant=row["tenant"],
        actor=row["actor"],
        org=row["org"],
        roles=list(row["roles"]),
        resource=row["resource"],
        resource_id=row["resource_id"],
        route=row["route"],
        path_params=msgspec.json.decode(row["path_params"]),
        query_params=msgspec.json.decode(row["query_params"]),
        status=row["status"],
    )
