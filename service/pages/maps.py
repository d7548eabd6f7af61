"""Maps for the pages (web app): areas' boundaries as inline SVG drawn on the server, no tiles, with a text alternative.

Equirectangular, longitudes scaled by the cosine of the middle latitude: true enough for a
municipality. Every area is labelled with its name and its level in words; the colour only repeats it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from domain.boundary import inside_point, simplified

WIDTH, MAX_HEIGHT, PAD = 640, 480, 24
CHAR_W, LINE_H = 8.5, 16
"""A label's character width (at most, 14 px bold) and line height, to keep labels inside the drawing."""


@dataclass(frozen=True)
class Shape:
    """One thing to draw: a GeoJSON Polygon or MultiPolygon, its CSS modifier, its label and its tooltip.

    `area_id`, if any, goes on its shape and label (`data-area-id`), for a live update to find them.
    """

    geometry: dict[str, Any]
    kind: str
    label: str
    tooltip: str
    area_id: str = ""


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    coordinates: list[Any] = geometry["coordinates"]
    return [coordinates] if geometry["type"] == "Polygon" else coordinates


class _Projection:
    """Degrees to the drawing's units, fitted to the shapes' bounding box."""

    def __init__(self, geometries: Sequence[dict[str, Any]]) -> None:
        points = [p for g in geometries for polygon in _polygons(g) for p in polygon[0]]
        self.west, self.east = min(p[0] for p in points), max(p[0] for p in points)
        self.south, self.north = min(p[1] for p in points), max(p[1] for p in points)
        self.kx = math.cos(math.radians((self.south + self.north) / 2))
        wide = max((self.east - self.west) * self.kx, 1e-9)
        high = max(self.north - self.south, 1e-9)
        self.scale = min((WIDTH - 2 * PAD) / wide, (MAX_HEIGHT - 2 * PAD) / high)
        self.height = round(high * self.scale + 2 * PAD)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon - self.west) * self.kx * self.scale, PAD + (self.north - lat) * self.scale

    def path(self, geometry: dict[str, Any]) -> str:
        # no detail finer than half a unit of the drawing: a boundary of thousands of points draws in a few hundred
        simple = simplified(geometry, 0.5 / self.scale)
        rings = []
        for polygon in _polygons(simple):
            for ring in polygon:
                points = " L".join("{:.1f} {:.1f}".format(*self.xy(p[0], p[1])) for p in ring[:-1])
                rings.append(f"M{points} Z")
        return " ".join(rings)


def _label(text: str, x: float, y: float, height: int, found_by: str = "") -> str:
    """A label of one or more lines centred at (x, y), moved inside the drawing if it would stick out."""
    lines = text.split("\n")
    half = max(len(line) for line in lines) * CHAR_W / 2
    x = min(max(x, half + 2), WIDTH - half - 2)
    y = min(max(y - (len(lines) - 1) * LINE_H / 2, LINE_H), height - (len(lines) - 1) * LINE_H - 4)
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{LINE_H if n else 0}">{escape(line)}</tspan>' for n, line in enumerate(lines)
    )
    return f'<text class="map__label"{found_by} x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{spans}</text>'


def area_map(map_id: str, title: str, description: str, shapes: Sequence[Shape], marks: Sequence[Shape] = ()) -> Markup:
    """The shapes (areas) with their labels, and `marks` (hot cells) over them, as an SVG image.

    `map_id` must be unique in the page: the image is named by its <title> and described by its <desc>.
    """
    projection = _Projection([s.geometry for s in (*shapes, *marks)])
    mid = escape(map_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {WIDTH} {projection.height}"'
        f' role="img" aria-labelledby="{mid}-title" aria-describedby="{mid}-desc" id="{mid}">',
        f'<title id="{mid}-title">{escape(title)}</title>',
        f'<desc id="{mid}-desc">{escape(description)}</desc>',
    ]
    for s in (*shapes, *marks):
        parts.append(
            f'<path class="map__shape map__shape--{escape(s.kind)}"{_found_by(s)} d="{projection.path(s.geometry)}"'
            f' fill-rule="evenodd"><title>{escape(s.tooltip)}</title></path>'
        )
    for s in (*shapes, *marks):
        if s.label:
            parts.append(_label(s.label, *projection.xy(*inside_point(s.geometry)), projection.height, _found_by(s)))
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped above


def _found_by(shape: Shape) -> str:
    return f' data-area-id="{escape(shape.area_id)}"' if shape.area_id else ""


def hot_cell_map(name: str, boundary: dict[str, Any] | None, cells: Sequence[dict[str, Any]]) -> Markup | None:
    """The area's boundary with its hot cells over it (None without a boundary or a cell to show)."""
    if boundary is None and not cells:
        return None
    area = [Shape(boundary, "area", "", name)] if boundary else []
    marks = [Shape(c["geometry"], "cell", str(c["properties"]["reports"]), _cell_words(c["properties"])) for c in cells]
    said = "; ".join(_cell_words(c["properties"]) for c in cells) or "inga platser med tillräckligt många rapporter"
    return area_map("hot-cells", f"Karta över {name} med platserna med flest rapporter", f"{said}.", area, marks)


def _cell_words(p: dict[str, Any]) -> str:
    lon, lat = p["centre"]
    return f"Ruta {p['cell_m']} m kring {lat:.4f}, {lon:.4f}: {p['reports']} rapporter, {p['occurrences']} förekomster"
