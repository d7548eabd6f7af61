"""Charts for the pages (web app): inline SVG drawn on the server, with a text alternative, readable in print."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 16, 32
"""The drawing's size in its own units (it scales to the page's width) and the margins around the plot."""
MAX_LABELS = 9
"""At most this many week labels under the bars (every n-th week back from the latest when more are shown),
and values above the bars only up to this many weeks."""


def nice_scale(largest: int) -> tuple[int, int]:
    """The top of the value axis and its step: a step of 1, 2 or 5 times a power of ten, at most five steps."""
    if largest <= 0:
        return 1, 1
    rough = largest / 5
    power = 10 ** max(0, math.floor(math.log10(rough))) if rough >= 1 else 1
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= rough)
    return math.ceil(largest / step) * step, step


def _week_label(week: str) -> str:
    """`2026-W07` under its bar as `v7`."""
    return f"v{int(week[6:])}" if len(week) == 8 else week


def describe(what: str, points: Sequence[tuple[str, int]]) -> str:
    """The chart in words: the period, the total, the highest week and the latest (its text alternative)."""
    if not points:
        return f"{what}: inga veckor att visa."
    total = sum(value for _, value in points)
    top_week, top = max(points, key=lambda p: p[1])
    first, (last, latest) = points[0][0], points[-1]
    if total == 0:
        return f"{what} vecka {first} till {last}: inga under perioden."
    return (
        f"{what} vecka {first} till {last}: totalt {total}, flest vecka {top_week} ({top}),"
        f" senaste veckan {last} {latest}."
    )


def bar_chart(chart_id: str, title: str, what: str, points: Sequence[tuple[str, int]]) -> Markup:
    """A bar per week (`points`: week and value, oldest first) as an SVG image named by `title`.

    `chart_id` must be unique in the page: the image is named by its own <title> and described by its <desc>.
    Every bar carries its week and value in a <title> as well; the numbers are on the axis and,
    for a few weeks, above each bar, so nothing is told by colour alone.
    """
    top, step = nice_scale(max((value for _, value in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    bar_w = max(slot * 0.7, 1.0)
    label_every = max(1, math.ceil(len(points) / MAX_LABELS))
    cid = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-labelledby="{cid}-title" aria-describedby="{cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(describe(what, points))}</desc>',
    ]
    for tick in range(0, top + 1, step):
        y = TOP + plot_h - tick / top * plot_h
        parts.append(f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart__tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, (week, value) in enumerate(points):
        height = value / top * plot_h
        x, y = LEFT + i * slot + (slot - bar_w) / 2, TOP + plot_h - height
        label = escape(f"Vecka {week}: {value}")
        parts.append(
            f'<rect class="chart__bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}">'
            f"<title>{label}</title></rect>"
        )
        middle = x + bar_w / 2
        if len(points) <= MAX_LABELS:
            parts.append(
                f'<text class="chart__value" x="{middle:.1f}" y="{y - 3:.1f}" text-anchor="middle">{value}</text>'
            )
        if (len(points) - 1 - i) % label_every == 0:  # counted back from the latest week
            parts.append(
                f'<text class="chart__label" x="{middle:.1f}" y="{HEIGHT - BOTTOM + 16}"'
                f' text-anchor="middle">{escape(_week_label(week))}</text>'
            )
    axis_y = TOP + plot_h
    parts.append(f'<line class="chart__axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis_y}" y2="{axis_y}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped above
