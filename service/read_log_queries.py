"""The read log as auditors query it: a tenant's reads, filtered, oldest first, in keyset pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

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
    """Reads in the order they were written (by id); `after` is the previous page's next_cursor."""
    # Only the filters given go into the statement: a generic plan of `($n IS NULL OR col = $n)`
    # could not use the actor or resource_id index, and this table grows with every read.
    conditions: list[str] = ["tenant = $1"]
    args: list[Any] = [tenant]
    filters: list[tuple[str, Any]] = [
        ("read_at >= ${}", since), ("read_at < ${}", until), ("actor = ${}", actor), ("org = ${}", org),
        ("resource = ${}", resource), ("resource_id = ${}", resource_id), ("id > ${}", after),
    ]  # fmt: skip
    for condition, value in filters:
        if value is not None:
            args.append(value)
            conditions.append(condition.format(len(args)))
    args.append(limit + 1)
    rows = await conn.fetch(
        f"SELECT * FROM read_log WHERE {' AND '.join(conditions)} ORDER BY id LIMIT ${len(args)}",
        *args,
    )
    entries = [_entry(r) for r in rows[:limit]]
    return entries, str(entries[-1].id) if len(rows) > limit else None


def _entry(row: Any) -> ReadEntry:
    return ReadEntry(
        id=row["id"], read_at=row["read_at"], tenant=row["tenant"], actor=row["actor"], org=row["org"],
        roles=list(row["roles"]), resource=row["resource"], resource_id=row["resource_id"], route=row["route"],
        path_params=msgspec.json.decode(row["path_params"]), query_params=msgspec.json.decode(row["query_params"]),
        status=row["status"],
    )  # fmt: skip
