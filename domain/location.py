"""A location is kept only coarsened to a grid cell, never as given, and only inside Sweden."""

from __future__ import annotations

import math
from dataclasses import dataclass

from domain.errors import Invalid

# Sweden's bounding box (WGS 84), with a small margin for the coast and islands.
SWEDEN_LAT = (55.0, 69.1)
SWEDEN_LON = (10.5, 24.2)
METRES_PER_DEGREE_LAT = 111_320.0
DEFAULT_CELL_METRES = 250


@dataclass(frozen=True)
class Location:
    """The centre of a grid cell of `cell_m` metres, in WGS 84 degrees."""

    lat: float
    lon: float
    cell_m: int

    def as_dict(self) -> dict[str, float | int]:
        """The form stored in events."""
        return {"lat": self.lat, "lon": self.lon, "cell_m": self.cell_m}


def coarsen(lat: float, lon: float, cell_m: int = DEFAULT_CELL_METRES, field: str = "location") -> Location:
    """Snap a point to the centre of its grid cell; refuse points outside Sweden.

    Rows of cells are `cell_m` metres high; within a row, cells are `cell_m` metres wide at
    the row's middle latitude. Every point in a cell gives the same centre, so the stored
    value says no more than "somewhere in this cell".
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise Invalid(field, "latitude and longitude must be numbers")
    if not (SWEDEN_LAT[0] <= lat <= SWEDEN_LAT[1] and SWEDEN_LON[0] <= lon <= SWEDEN_LON[1]):
        raise Invalid(field, f"({lat}, {lon}) is outside Sweden")
    if cell_m < 10:
        raise ValueError("cells smaller than 10 m would not coarsen anything")
    dlat = cell_m / METRES_PER_DEGREE_LAT
    row = math.floor(lat / dlat)
    centre_lat = (row + 0.5) * dlat
    dlon = cell_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(centre_lat)))
    column = math.floor(lon / dlon)
    centre_lon = (column + 0.5) * dlon
    return Location(round(centre_lat, 6), round(centre_lon, 6), cell_m)
