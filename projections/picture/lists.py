"""Lists on the picture read model: reports, actions (keyset-paginated), one action, an area's assessments.

Each runs inside `tenancy.tenant_connection` (the read models show no rows otherwise).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from projections.generations import Connection
from projections.keyset import MAX_LIMIT as MAX_LIMIT  # the API's bound on `limit`
from projections.keyset import page_of


async def reports(
    conn: Connection,
    tenant: str,
    *,
    area_id: UUID | None = None,
    week: str | None = None,
    category: str | None = None,
    org: str | None = None,
    status: str | None = None,
    cursor: int | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], str | None]:
    """Reports, newest first; `cursor` is the previous page's next_cursor."""
    # Only the filters given are in the statement (each a parameter, never a value in the SQL): one
    # statement for every combination would be planned anew at every call, or generically, without
    # the area's or week's index.
    given = {"area_id": area_id, "week": week, "category": category, "org": org, "status": status}
    where = ["tenant = $1"]
    values: list[Any] = [tenant]
    for column, value in given.items():
        if value is not None:
            values.append(value)
            where.append(f"{column} = ${len(values)}")
    if cursor is not None:
        values.append(cursor)
        where.append(f"first_position < ${len(values)}")
    values.append(limit + 1)
    sql = f"SELECT * FROM picture.reports WHERE {' AND '.join(where)} ORDER BY first_position DESC LIMIT ${len(values)}"
    rows = await conn.fetch(sql, *values)
    page, next_cursor = page_of(rows, limit, "first_position")
    return [report_out(r) for r in page], next_cursor


def report_out(row: Any) -> dict[str, Any]:
    """A report row as the API shows it."""
    location = row["location"]
    return {
        "id": str(row["report_id"]), "version": row["version"], "area_id": str(row["area_id"]),
        "category": row["category"], "occurred_at": row["occurred_at"], "week": row["week"], "count": row["count"],
        "place": row["place"], "location": json.loads(location) if isinstance(location, str) else location,
        "description": row["description"], "source": row["source"], "org": row["org"],
        "submitted_by": row["submitted_by"], "status": row["status"], "submitted_at": row["submitted_at"],
        "position": row["position"],
    }  # fmt: skip


async def actions(
    conn: Connection,
    tenant: str,
    *,
    area_id: UUID | None = None,
    status: str | None = None,
    cursor: int | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], str | None]:
    """Actions, newest first."""
    rows = await conn.fetch(
        "SELECT * FROM picture.actions WHERE tenant = $1 AND ($2::uuid IS NULL OR area_id = $2)"
        " AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR first_position < $4)"
        " ORDER BY first_position DESC LIMIT $5",
        tenant, area_id, status, cursor, limit + 1,
    )  # fmt: skip
    page, next_cursor = page_of(rows, limit, "first_position")
    return [action_out(r) for r in page], next_cursor


def action_out(row: Any) -> dict[str, Any]:
    """An action row as the API shows it."""
    follow_up = row["last_follow_up"]
    return {
        "id": str(row["action_id"]), "version": row["version"], "area_id": str(row["area_id"]),
        "title": row["title"], "description": row["description"], "responsible_org": row["responsible_org"],
        "status": row["status"], "starts_on": row["starts_on"], "ends_on": row["ends_on"],
        "report_ids": [str(r) for r in row["report_ids"]], "categories": list(row["categories"]),
        "follow_ups": row["follow_ups"],
        "latest_follow_up": json.loads(follow_up) if isinstance(follow_up, str) else follow_up,
    }  # fmt: skip


async def action_detail(conn: Connection, tenant: str, action_id: UUID) -> dict[str, Any] | None:
    """One action with its linked reports and all its follow-ups."""
    row = await conn.fetchrow("SELECT * FROM picture.actions WHERE tenant = $1 AND action_id = $2", tenant, action_id)
    if row is None:
        return None
    linked = await conn.fetch(
        "SELECT * FROM picture.reports WHERE tenant = $1 AND report_id = ANY($2) ORDER BY first_position",
        tenant,
        row["report_ids"],
    )
    follow_ups = await conn.fetch(
        "SELECT n, effect, note, by, org, week, recorded_at FROM picture.follow_ups WHERE action_id = $1 ORDER BY n",
        action_id,
    )
    detail = action_out(row)
    detail["reports"] = [
        {k: report_out(r)[k] for k in ("id", "category", "week", "count", "status", "org")} for r in linked
    ]
    detail["follow_up_list"] = [dict(f) for f in follow_ups]
    return detail


async def assessments(conn: Connection, tenant: str, area_id: UUID, limit: int = 12) -> list[dict[str, Any]]:
    """An area's published assessments, the latest week first (each week's latest revision)."""
    rows = await conn.fetch(
        "SELECT week, revision, level, summary, published_at, org FROM picture.assessments"
        " WHERE tenant = $1 AND area_id = $2 ORDER BY week DESC LIMIT $3",
        tenant,
        area_id,
        limit,
    )
    return [dict(r) for r in rows]
