"""A spreadsheet as a table of text (imports): CSV as Swedish Excel writes it, or the first sheet of an .xlsx."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from python_calamine import CalamineError, CalamineWorkbook

from domain.errors import Invalid

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = (CSV, XLSX)


@dataclass(frozen=True, slots=True)
class Table:
    """The header's names (lower-cased, trimmed) and each row's cells by those names, numbered as a person counts."""

    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    """(row number in the file, the header being row 1; cells by column), blank rows left out."""


def read_table(body: bytes, media_type: str, max_rows: int) -> Table:
    """The table in `body`; Invalid("file") if it cannot be read, Invalid("rows") beyond `max_rows`."""
    if media_type == XLSX:
        grid = _xlsx(body)
    elif media_type == CSV:
        grid = _csv(body)
    else:
        raise Invalid("Content-Type", f"send {CSV} or {XLSX}")
    if not grid or not any(grid[0]):
        raise Invalid("file", "the first row must name the columns (area, category, occurred_at or week, ...)")
    columns = tuple(name.strip().lower() for name in grid[0])
    rows = [(n, _cells(columns, line)) for n, line in enumerate(grid[1:], start=2) if any(c.strip() for c in line)]
    if len(rows) > max_rows:
        raise Invalid("rows", f"the file has {len(rows)} rows; at most {max_rows} can be imported at once")
    return Table(columns, rows)


def _cells(columns: tuple[str, ...], line: list[str]) -> dict[str, str]:
    return {name: line[i].strip() if i < len(line) else "" for i, name in enumerate(columns) if name}


def _csv(body: bytes) -> list[list[str]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid("file", f"is not UTF-8 (byte {error.start}); save it as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    # Swedish Excel writes semicolons (the comma is the decimal sign); others write commas.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise Invalid("file", f"is not valid CSV: {error}") from None


def _xlsx(body: bytes) -> list[list[str]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(body))
        sheet = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, IndexError) as error:
        raise Invalid("file", f"is not an .xlsx workbook that can be read: {error}") from None
    return [[_text(value) for value in line] for line in sheet]


def _text(value: object) -> str:
    """A cell as the text a person typed: whole numbers without decimals, times in ISO 8601."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return "" if value is None else str(value)
