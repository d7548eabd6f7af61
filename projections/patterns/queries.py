"""Queries on the patterns read model: one area's occurrences by weekday and hour, and by month.

It runs inside `tenancy.tenant_connection` (the read models show no rows otherwise).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from projections.generations import Connection
from projections.patterns.rows import WHOLE_WEEK

# One statement, so one snapshot and one pass over the area's rows of the period and the months
# (its index range, read once, summed per day and hour); from those few thousand sums: the position,
# the cells of the weekday × hour grid in the period (isodow: Monday is 1), the reports of whole
# weeks in it (dated by their Thursday), and the months.
_PATTERNS = """
WITH hours AS MATERIALIZED (
    SELECT day, hour, sum(occurrences)::int AS n FROM patterns.counts
    WHERE tenant = $1 AND area_id = $2 AND day BETWEEN least($3::date, $7::date) AND $4::date
        AND ($5::text IS NULL OR category = $5)
    GROUP BY day, hour)
SELECT (SELECT position FROM projection_generations WHERE projection = 'patterns' AND active) AS position,
    ARRAY(SELECT ROW(g.weekday, g.hour, g.n) FROM (
        SELECT extract(isodow FROM day)::int AS weekday, hour, sum(n)::int AS n FROM hours
        WHERE day >= $3 AND hour <> $6 GROUP BY 1, 2) g) AS cells,
    (SELECT coalesce(sum(n), 0)::int FROM hours WHERE day >= $3 AND hour = $6) AS whole_weeks,
    ARRAY(SELECT ROW(m.month, m.n) FROM (
        SELECT to_char(day, 'YYYY-MM') AS month, sum(n)::int AS n FROM hours WHERE day >= $7 GROUP BY 1) m) AS months
"""


def months_back(last: date, count: int = 12) -> list[date]:
    """The first days of the `count` months ending with `last`'s, oldest first."""
    index = last.year * 12 + last.month - 1
    return [date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(count - 1, -1, -1)]


async def patterns(
    conn: Connection, tenant: str, area_id: UUID, since: date, until: date, category: str | None
) -> dict[str, Any]:
    """Occurrences from `since` to `until` (both included): by weekday × hour, of whole weeks, and by month.

    The months are the 12 ending with `until`'s (the yearly wheel).
    """
    months = months_back(until)
    row = await conn.fetchrow(_PATTERNS, tenant, area_id, since, until, category, WHOLE_WEEK, months[0])
    assert row is not None
    grid = [[0] * 24 for _ in range(7)]
    for weekday, hour, occurrences in row["cells"]:
        grid[weekday - 1][hour] = occurrences
    by_month = dict(row["months"])
    return {
        "weekday_hour": grid,
        "whole_weeks": row["whole_weeks"],
        "months": [{"month": m.strftime("%Y-%m"), "occurrences": by_month.get(m.strftime("%Y-%m"), 0)} for m in months],
        "position": row["position"] or 0,
    }
