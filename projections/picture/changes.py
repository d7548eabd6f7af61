"""What the live stream sends of the picture: each area changed after a position, as Översikt shows it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from projections.generations import Connection
from projections.picture.queries import weekly_trend, weeks_back
from projections.picture.trend import PREVIOUS_WEEKS

# An area changes with its counts, a published assessment (its level) and an action planned or moved
# on (its open actions): the projection moves its row in area_changes on each. Level and open actions
# as the overview reads them (queries._OVERVIEW).
_CHANGES = """
SELECT c.area_id, c.position, coalesce(sum(w.reports) FILTER (WHERE w.week = $3), 0) AS reports,
    array_agg(w.week) FILTER (WHERE w.week IS NOT NULL) AS weeks,
    array_agg(w.occurrences) FILTER (WHERE w.week IS NOT NULL) AS occurrences,
    (SELECT s.level FROM picture.assessments s
        WHERE s.tenant = $1 AND s.area_id = c.area_id ORDER BY s.week DESC LIMIT 1) AS level,
    (SELECT count(*) FROM picture.actions x
        WHERE x.tenant = $1 AND x.area_id = c.area_id AND x.status IN ('planned', 'started')) AS open_actions
FROM picture.area_changes c LEFT JOIN picture.weekly_counts w
    ON w.tenant = c.tenant AND w.area_id = c.area_id AND w.week >= $4 AND w.week <= $3
WHERE c.tenant = $1 AND c.position > $2
GROUP BY c.area_id, c.position
ORDER BY c.position
"""


async def last_change(conn: Connection, tenant: str) -> int:
    """The position of the tenant's latest change (0 before any)."""
    found = await conn.fetchval("SELECT coalesce(max(position), 0) FROM picture.area_changes WHERE tenant = $1", tenant)
    return int(found)


async def changes_after(conn: Connection, tenant: str, after: int, week: str) -> list[dict[str, Any]]:
    """Each area changed after position `after`, oldest change first, as Översikt shows it.

    `week`'s counts and trend, the area's level (its latest published assessment's, None without
    one) and open actions, and the position of its change.
    """
    span = weeks_back(week, PREVIOUS_WEEKS + 1)  # the week and those its trend looks back on
    rows = await conn.fetch(_CHANGES, tenant, after, week, span[0])
    changes = []
    for r in rows:
        totals: dict[str, int] = defaultdict(int)
        for w, n in zip(r["weeks"] or (), r["occurrences"] or (), strict=True):
            totals[w] += n
        changes.append(
            {
                "area_id": str(r["area_id"]),
                "week": week,
                "reports": r["reports"],
                "occurrences": totals[week],
                "trend": weekly_trend(totals, week),
                "level": r["level"],
                "open_actions": r["open_actions"],
                "position": r["position"],
            }
        )
    return changes
