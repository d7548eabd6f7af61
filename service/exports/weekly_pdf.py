"""The weekly lägesbild as a PDF for the steering group (HTTP edge): A4, tagged PDF/UA, Swedish, text selectable."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Response

from domain.weeks import parse_week
from service.web.context import Context
from service.web.exports import PDF_MEDIA_TYPE
from service.words import EFFECT_WORDS, LEVELS, NO_LEVEL, TRENDS, category_names

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(default=True)
)


def weekly_html(weekly: dict[str, Any], tenant: str, now: datetime, categories: dict[str, str]) -> str:
    """The page the PDF is made of: levels and trends in words beside their colours, a bar per area's total."""
    week = parse_week("week", weekly["week"])
    year, number = week[:4], int(week[6:])
    most = max((area["total"] for area in weekly["areas"]), default=0) or 1
    areas = []
    for area in weekly["areas"]:
        level = (area["assessment"] or {}).get("level")
        areas.append(
            area
            | {
                "level_key": level or "none",
                "level_words": LEVELS.get(level, NO_LEVEL) if level else NO_LEVEL,
                "trend_words": TRENDS.get(area["trend"], area["trend"]),
                "bar_percent": round(100 * area["total"] / most),
            }
        )
    return _TEMPLATES.get_template("weekly.html").render(
        week=weekly["week"],
        week_label=f"{number}, {year}",
        tenant=tenant,
        printed=now.strftime("%Y-%m-%d %H:%M UTC"),
        areas=areas,
        category_names=categories,
        effects=EFFECT_WORDS,
    )


def weekly_pdf(weekly: dict[str, Any], tenant: str, now: datetime, categories: dict[str, str]) -> bytes:
    """The PDF (PDF/UA-1: tagged, with its language and title), made by WeasyPrint."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=weekly_html(weekly, tenant, now, categories)).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


async def weekly_pdf_response(weekly: dict[str, Any], context: Context) -> Response[Any]:
    """The PDF as a download, made in a worker thread so that the event loop goes on meanwhile."""
    tenant, categories = context.identity.tenant, await category_names(context)
    pdf = await asyncio.to_thread(weekly_pdf, weekly, tenant, context.now, categories)
    return Response(
        pdf,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="lagesbild-{weekly["week"]}.pdf"'},
    )
