"""Queries on the picture read model: one area's picture, the overview, the weekly lägesbild.

Each runs inside `tenancy.tenant_connection`: its statements share that transaction's snapshot.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from domain.weeks import shift_week
from projections.generations import Connection
from projections.picture.trend import PREVIOUS_WEEKS, Trend, trend

_POSITION = "SELECT position FROM projection_generations WHERE projection = 'picture' AND active"


def weeks_back(this_week: str, count: int) -> list[str]:
    """The `count` weeks ending with `this_week`, oldest first."""
    return list(_weeks_back(this_week, count))


@functools.lru_cache(maxsize=512)
def _weeks_back(this_week: str, count: int) -> tuple[str, ...]:
    # Week arithmetic goes through time zones; a picture needs dozens of weeks per request.
    return tuple(shift_week(this_week, -n) for n in range(count - 1, -1, -1))


def weekly_trend(totals: Mapping[str, int], week: str) -> Trend:
    """The trend of `week` in `totals` (week -> occurrences) against the weeks before it (trend.py)."""
    before = _weeks_back(week, PREVIOUS_WEEKS + 1)[:-1]
    return trend(totals.get(week, 0), [totals.get(w, 0) for w in before])


async def _counts(conn: Connection, tenant: str, weeks: list[str], area_id: UUID | None = None) -> list[Any]:
    return await conn.fetch(
        "SELECT area_id, week, category, reports, occurrences FROM picture.weekly_counts"
        " WHERE tenant = $1 AND week >= $2 AND week <= $3 AND ($4::uuid IS NULL OR area_id = $4)"
        " AND (reports <> 0 OR occurrences <> 0)",
        tenant,
        weeks[0],
        weeks[-1],
        area_id,
    )


_decode = msgspec.json.decode  # a follow-up's JSON, a dozen a read: several times faster than json.loads
_NOTHING = (0, 0)  # reports, occurrences of a week without any


# One statement, so one snapshot and one round trip: the area, the position, the counts of the
# weeks shown and those the trend looks back on, the latest published assessment, the open
# actions and the time of the latest report. The counts come as four arrays side by side:
# asyncpg decodes typed arrays in a fraction of the time it takes for as many anonymous rows.
_AREA_PICTURE = """
SELECT a.area_id, a.code, a.name, a.retired,
    (SELECT position FROM projection_generations WHERE projection = 'picture' AND active) AS position,
    c.weeks, c.categories, c.reports, c.occurrences,
    (SELECT ROW(week, revision, level, summary, published_at) FROM picture.assessments
        WHERE tenant = $1 AND area_id = $2 ORDER BY week DESC LIMIT 1) AS assessment,
    ARRAY(SELECT ROW(action_id, title, responsible_org, status, starts_on, ends_on, last_follow_up) FROM picture.actions
        WHERE tenant = $1 AND area_id = $2 AND status IN ('planned', 'started') ORDER BY first_position) AS actions,
    (SELECT submitted_at FROM picture.reports WHERE tenant = $1 AND area_id = $2
        ORDER BY first_position DESC LIMIT 1) AS last_report_at
FROM picture.areas a, LATERAL (
    SELECT array_agg(week) AS weeks, array_agg(category) AS categories, array_agg(reports) AS reports,
        array_agg(occurrences) AS occurrences
    FROM picture.weekly_counts
    WHERE tenant = $1 AND area_id = $2 AND week >= $3 AND week <= $4 AND (reports <> 0 OR occurrences <> 0)
) c
WHERE a.tenant = $1 AND a.area_id = $2
"""
_ASSESSMENT = ("week", "revision", "level", "summary", "published_at")


async def area_picture(
    conn: Connection, tenant: str, area_id: UUID, this_week: str, weeks: int
) -> dict[str, Any] | None:
    """The current picture of one area, or None if the tenant has no such area."""
    shown = weeks_back(this_week, weeks)
    span = weeks_back(this_week, weeks + PREVIOUS_WEEKS)
    area = await conn.fetchrow(_AREA_PICTURE, tenant, area_id, span[0], span[-1])
    if area is None:
        return None
    series: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    if area["weeks"] is not None:  # array_agg of no rows is NULL
        for week, category, reports, occurrences in zip(
            area["weeks"], area["categories"], area["reports"], area["occurrences"], strict=True
        ):
            series[category][week] = (reports, occurrences)
    # One pass per category: its count this week, its series and its trend.
    before = _weeks_back(this_week, PREVIOUS_WEEKS + 1)[-2::-1]  # the weeks the trend looks back on
    counts, lines, trends = {}, {}, {}
    for category in sorted(series):
        values = series[category]
        now = values.get(this_week)
        if now is not None:
            counts[category] = {"reports": now[0], "occurrences": now[1]}
        lines[category] = [
            {"week": w, "reports": r, "occurrences": o} for w in shown for r, o in (values.get(w, _NOTHING),)
        ]
        trends[category] = trend((now or _NOTHING)[1], [values.get(w, _NOTHING)[1] for w in before])
    assessment, position = area["assessment"], area["position"]
    return {
        "area": {"id": str(area["area_id"]), "code": area["code"], "name": area["name"], "retired": area["retired"]},
        "week": this_week,
        "weeks": shown,
        "counts": counts,
        "series": lines,
        "trends": trends,
        "assessment": dict(zip(_ASSESSMENT, assessment, strict=True)) if assessment else None,
        "open_actions": [_open_action(*a) for a in area["actions"]],
        "last_report_at": area["last_report_at"],
        "position": int(position or 0),
    }


def _open_action(
    action_id: UUID, title: str, org: str, status: str, starts_on: Any, ends_on: Any, follow_up: Any
) -> dict[str, Any]:
    """An open action from its row in the picture query (the columns in its order)."""
    return {
        "id": str(action_id), "title": title, "responsible_org": org, "status": status,
        "starts_on": starts_on, "ends_on": ends_on,
        "latest_follow_up": _decode(follow_up) if isinstance(follow_up, str) else follow_up,
    }  # fmt: skip


def _totals(rows: list[Any]) -> dict[UUID, dict[str, int]]:
    """Area -> week -> occurrences summed over categories."""
    totals: dict[UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        totals[row["area_id"]][row["week"]] += row["occurrences"]
    return totals


# The overview in one statement, so one snapshot and one round trip: a row per active area with
# its latest assessment, its open actions and its weekly totals (summed over categories by
# PostgreSQL: in Python, the rows per area, week and category were a quarter of the read's CPU),
# and, for a map, its boundary.
_OVERVIEW = """
SELECT (SELECT position FROM projection_generations WHERE projection = 'picture' AND active) AS position,
    a.area_id, a.code, a.name, l.level, l.week, o.n, t.weeks, t.totals,
    CASE WHEN $4 THEN (SELECT geometry FROM picture.boundaries b WHERE b.tenant = $1 AND b.area_id = a.area_id) END
FROM picture.areas a
LEFT JOIN LATERAL (SELECT s.level, s.week FROM picture.assessments s
    WHERE s.tenant = $1 AND s.area_id = a.area_id ORDER BY s.week DESC LIMIT 1) l ON true
CROSS JOIN LATERAL (SELECT count(*) AS n FROM picture.actions x
    WHERE x.tenant = $1 AND x.area_id = a.area_id AND x.status IN ('planned', 'started')) o
CROSS JOIN LATERAL (SELECT array_agg(w.week) AS weeks, array_agg(w.total) AS totals FROM (
    SELECT c.week, sum(c.occurrences)::bigint AS total FROM picture.weekly_counts c
    WHERE c.tenant = $1 AND c.area_id = a.area_id AND c.week >= $2 AND c.week <= $3 GROUP BY c.week) w) t
WHERE a.tenant = $1 AND NOT a.retired
ORDER BY a.name
"""


async def overview(
    conn: Connection, tenant: str, this_week: str, *, boundaries: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every active area: its level, this week's total, its trend, its open actions (the heat map).

    Also each area's boundary (GeoJSON geometry, as stored) by area id if `boundaries`; areas without one are absent.
    """
    span = weeks_back(this_week, PREVIOUS_WEEKS + 1)
    areas = await conn.fetch(_OVERVIEW, tenant, span[0], span[-1], boundaries)
    # (no active area: no row to carry the position, which a second statement reads)
    position = areas[0]["position"] if areas else await conn.fetchval(_POSITION)
    rows, shapes = [], {}
    for _, area_id, code, name, level, level_week, open_actions, weeks, totals, geometry in areas:
        weekly = dict(zip(weeks, totals, strict=True)) if weeks is not None else {}  # array_agg of none: NULL
        rows.append(
            {
                "area": {"id": str(area_id), "code": code, "name": name},
                "level": level,
                "level_week": level_week,
                "total": weekly.get(this_week, 0),
                "trend": weekly_trend(weekly, this_week),
                "open_actions": open_actions,
            }
        )
        if geometry is not None:
            shapes[str(area_id)] = _decode(geometry) if isinstance(geometry, str) else geometry
    return {"week": this_week, "areas": rows, "position": int(position or 0)}, shapes


async def weekly(conn: Connection, tenant: str, week: str) -> dict[str, Any]:
    """The lägesbild of one week: per area its counts, trend, assessment and the actions of that week."""
    position = await conn.fetchval(_POSITION)
    areas = await conn.fetch(
        "SELECT area_id, code, name FROM picture.areas WHERE tenant = $1 AND NOT retired ORDER BY name", tenant
    )
    span = weeks_back(week, PREVIOUS_WEEKS + 1)
    rows = await _counts(conn, tenant, span)
    assessments = {
        r["area_id"]: r
        for r in await conn.fetch(
            "SELECT area_id, revision, level, summary FROM picture.assessments WHERE tenant = $1 AND week = $2",
            tenant,
            week,
        )
    }
    actions = await conn.fetch(
        "SELECT area_id, action_id, title, status, started_week, completed_week FROM picture.actions"
        " WHERE tenant = $1 AND (started_week = $2 OR completed_week = $2)",
        tenant,
        week,
    )
    follow_ups = await conn.fetch(
        "SELECT f.area_id, f.action_id, a.title, f.effect FROM picture.follow_ups f"
        " JOIN picture.actions a USING (action_id) WHERE f.tenant = $1 AND f.week = $2 ORDER BY f.position",
        tenant,
        week,
    )
    totals = _totals(rows)
    entries = []
    for area in areas:
        aid = area["area_id"]
        counts = {r["category"]: r["occurrences"] for r in rows if r["area_id"] == aid and r["week"] == week}
        weekly_totals = totals.get(aid, {})
        assessment = assessments.get(aid)
        entries.append(
            {
                "area": {"id": str(aid), "code": area["code"], "name": area["name"]},
                "counts": dict(sorted(counts.items())),
                "total": sum(counts.values()),
                "trend": weekly_trend(weekly_totals, week),
                "assessment": ({k: assessment[k] for k in ("revision", "level", "summary")} if assessment else None),
                "actions_started": [a["title"] for a in actions if a["area_id"] == aid and a["started_week"] == week],
                "actions_completed": [
                    a["title"] for a in actions if a["area_id"] == aid and a["completed_week"] == week
                ],
                "actions_followed_up": [
                    {"title": f["title"], "effect": f["effect"]} for f in follow_ups if f["area_id"] == aid
                ],
            }
        )
    return {"week": week, "areas": entries, "position": int(position or 0)}
