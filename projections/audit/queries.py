"""The audit trail's list, keyset-paginated in log order: `GET /api/v1/audit`.

It runs inside `tenancy.tenant_connection` (the read models show no rows otherwise).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.generations import Connection
from projections.keyset import MAX_LIMIT as MAX_LIMIT  # the API's bound on `limit`
from projections.keyset import page_of


async def audit(
    conn: Connection,
    tenant: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    org: str | None = None,
    actor: str | None = None,
    area_id: UUID | None = None,
    stream_id: UUID | None = None,
    after: int | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """Audit entries in log order; `after` is the previous page's next_cursor."""
    rows = await conn.fetch(
        "SELECT * FROM audit.entries WHERE tenant = $1"
        " AND ($2::timestamptz IS NULL OR recorded_at >= $2) AND ($3::timestamptz IS NULL OR recorded_at < $3)"
        " AND ($4::text IS NULL OR org = $4) AND ($5::text IS NULL OR actor = $5)"
        " AND ($6::uuid IS NULL OR area_id = $6) AND ($7::uuid IS NULL OR aggregate_id = $7)"
        " AND position > coalesce($8::bigint, 0) ORDER BY position LIMIT $9",
        tenant, since, until, org, actor, area_id, stream_id, after, limit + 1,
    )  # fmt: skip
    page, next_cursor = page_of(rows, limit, "position")
    return [audit_out(r) for r in page], next_cursor


def audit_out(row: Any) -> dict[str, Any]:
    """An audit entry as the API shows it."""
    summary = row["summary"]
    return {
        "position": row["position"], "recorded_at": row["recorded_at"], "tenant": row["tenant"],
        "actor": row["actor"], "org": row["org"], "event_type": row["event_type"],
        "aggregate_type": row["aggregate_type"], "aggregate_id": str(row["aggregate_id"]),
        "version": row["version"], "area_id": str(row["area_id"]) if row["area_id"] else None,
        "summary": json.loads(summary) if isinstance(summary, str) else summary,
    }  # fmt: skip
