"""Answers as files (HTTP edge): the format an Accept header asks for, a table as CSV or Excel, and their OpenAPI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from litestar import Response
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema

from service.web.csv import csv_response
from service.web.xlsx import XLSX_MEDIA_TYPE, xlsx_response

Format = Literal["json", "csv", "xlsx", "pdf", "geojson"]
PDF_MEDIA_TYPE = "application/pdf"
GEOJSON_MEDIA_TYPE = "application/geo+json"
CSV_MEDIA_TYPE = "text/csv"
MEDIA_TYPES: dict[Format, str] = {
    "csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE, "pdf": PDF_MEDIA_TYPE, "geojson": GEOJSON_MEDIA_TYPE,
}  # fmt: skip
SPREADSHEETS: tuple[Format, ...] = ("csv", "xlsx")


def wanted(accept: str | None, offered: tuple[Format, ...] = SPREADSHEETS) -> Format:
    """The first of the Accept header's media types that is `offered` (by q, then order); JSON otherwise."""
    choices = []
    for n, part in enumerate((accept or "").lower().split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = next((_q(p[2:]) for p in params if p.startswith("q=")), 1.0)
        choices.append((-q, n, media))
    for q, _, media in sorted(choices):
        found = next((f for f in offered if MEDIA_TYPES[f] == media), None)
        if q < 0 and found:
            return found
        if media in ("application/json", "*/*", "application/*"):
            return "json"
    return "json"


def _q(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def table_response(fmt: Format, header: list[str], rows: list[list[Any]], stem: str) -> Response[Any]:
    """The table as `stem`.csv or `stem`.xlsx (every cell safe to open: see csv.py and xlsx.py)."""
    if fmt == "xlsx":
        return xlsx_response(header, rows, f"{stem}.xlsx")
    return csv_response(header, rows, f"{stem}.csv")


def _offer(operation: Operation, formats: tuple[Format, ...]) -> None:
    ok = (operation.responses or {}).get("200")
    if isinstance(ok, OpenAPIResponse) and ok.content is not None:
        for fmt in formats:
            ok.content[MEDIA_TYPES[fmt]] = OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.OBJECT, description="a GeoJSON FeatureCollection")
                if fmt == "geojson"
                else Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            )
        named = ", ".join(f"`{MEDIA_TYPES[f]}`" for f in formats)
        ok.description = f"{ok.description} (also as a file: Accept {named})"


@dataclass
class OrSpreadsheet(Operation):
    """An operation whose success answer is also offered as CSV and as Excel."""

    def __post_init__(self) -> None:
        """Add text/csv and .xlsx beside application/json to the 200 answer."""
        _offer(self, SPREADSHEETS)


@dataclass
class OrSpreadsheetOrPdf(Operation):
    """An operation whose success answer is also offered as CSV, Excel and PDF."""

    def __post_init__(self) -> None:
        """Add text/csv, .xlsx and application/pdf beside application/json to the 200 answer."""
        _offer(self, (*SPREADSHEETS, "pdf"))


@dataclass
class OrGeoJson(Operation):
    """An operation whose success answer is also offered as a GeoJSON FeatureCollection."""

    def __post_init__(self) -> None:
        """Add application/geo+json beside application/json to the 200 answer."""
        _offer(self, ("geojson",))
