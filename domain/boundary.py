"""An area's boundary (domain): a GeoJSON Polygon or MultiPolygon in WGS 84, checked before it is kept.

Geometry validity is a domain rule, so it is decided here with shapely (pure computation, no
I/O): the Area aggregate alone decides what a boundary may be, so every `BoundarySet` in the
log holds a valid shape and no reader (the picture, the map, the import's point lookup) checks again.
Structure is checked first in plain Python, naming the field (`coordinates[0][2]`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.validation import explain_validity

from domain.errors import Invalid
from domain.limits import BOUNDARY_POINTS_MAX
from domain.location import SWEDEN_LAT, SWEDEN_LON

KINDS = ("Polygon", "MultiPolygon")


def checked_boundary(geometry: Any) -> dict[str, Any]:
    """The boundary as kept (type and coordinates only, as floats), or Invalid naming the field."""
    if not isinstance(geometry, dict) or geometry.get("type") not in KINDS:
        raise Invalid("type", f"a boundary is a GeoJSON {' or '.join(KINDS)}")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise Invalid("coordinates", "has no rings: an empty boundary has no area")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    counted = 0
    kept: list[list[list[list[float]]]] = []
    for p, polygon in enumerate(polygons):
        at = "coordinates" if geometry["type"] == "Polygon" else f"coordinates[{p}]"
        if not isinstance(polygon, list) or not polygon:
            raise Invalid(at, "a polygon needs at least its outer ring")
        rings = []
        for r, ring in enumerate(polygon):
            rings.append(_ring(ring, f"{at}[{r}]"))
            counted += len(rings[-1])
            if counted > BOUNDARY_POINTS_MAX:
                raise Invalid("coordinates", f"has more than {BOUNDARY_POINTS_MAX} points")
        kept.append(rings)
    result: dict[str, Any] = (
        {"type": "Polygon", "coordinates": kept[0]}
        if geometry["type"] == "Polygon"
        else {"type": "MultiPolygon", "coordinates": kept}
    )
    made = shape_of(result)
    if not shapely.is_valid(made):
        raise Invalid("coordinates", f"is not a valid shape: {explain_validity(made)}")
    if made.area <= 0:
        raise Invalid("coordinates", "encloses no area")
    return result


def _ring(ring: Any, at: str) -> list[list[float]]:
    """One linear ring: at least four points, the last the first, every point inside Sweden (altitudes dropped)."""
    if not isinstance(ring, list) or len(ring) < 4:
        raise Invalid(at, "a ring needs at least four points, the last the same as the first")
    points = []
    for i, point in enumerate(ring):
        if not (isinstance(point, list) and len(point) in (2, 3)):
            raise Invalid(f"{at}[{i}]", "a point is [longitude, latitude]")
        lon, lat = point[0], point[1]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in point):
            raise Invalid(f"{at}[{i}]", "longitude and latitude (and an altitude, if any) must be numbers")
        if not (SWEDEN_LON[0] <= lon <= SWEDEN_LON[1] and SWEDEN_LAT[0] <= lat <= SWEDEN_LAT[1]):
            raise Invalid(f"{at}[{i}]", f"[{lon}, {lat}] is outside Sweden (longitude, latitude in WGS 84)")
        points.append([float(lon), float(lat)])
    if points[0] != points[-1]:
        raise Invalid(at, "the ring is not closed: its last point must be its first")
    return points


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """The boundary's bounding box: west, south, east, north."""
    lons, lats = [], []
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        for lon, lat, *_ in polygon[0]:
            lons.append(lon)
            lats.append(lat)
    return min(lons), min(lats), max(lons), max(lats)


def shape_of(geometry: dict[str, Any]) -> shapely.Polygon | shapely.MultiPolygon:
    """The boundary (checked, two dimensions) as a shapely geometry, made from arrays (fast for many points)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    made = [
        shapely.Polygon(np.asarray(polygon[0], dtype=float), [np.asarray(ring, dtype=float) for ring in polygon[1:]])
        for polygon in polygons
    ]
    return made[0] if geometry["type"] == "Polygon" else shapely.MultiPolygon(made)


def holds(geometry: dict[str, Any], lat: float, lon: float) -> bool:
    """Whether the point lies inside the boundary (or on its edge)."""
    return bool(shapely.intersects_xy(shape_of(geometry), lon, lat))


def inside_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point surely inside the boundary (longitude, latitude): where a map puts its label."""
    point = shape_of(geometry).point_on_surface()
    return point.x, point.y


def simplified(geometry: dict[str, Any], tolerance: float) -> dict[str, Any]:
    """The boundary without detail finer than `tolerance` degrees, for drawing (not always a valid shape)."""
    simple = shape_of(geometry).simplify(tolerance, preserve_topology=False)
    if simple.is_empty:  # smaller than the tolerance: drawn as it is
        return geometry
    drawn: dict[str, Any] = mapping(simple)
    return drawn
