"""CSV answers: UTF-8 with a byte-order mark, asked for with `Accept: text/csv`, every cell safe to open."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from litestar import Response

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula, made plain text (OWASP: CSV injection).

    A text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which
    spreadsheets show as text and do not evaluate. Numbers and other values pass unchanged. Every
    export (CSV here, later Excel) writes its cells through this.
    """
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _text(cell: Any) -> Any:
    """A time in ISO 8601 (`2026-11-20T21:30:00+01:00`), as the JSON answers write it; the rest as it is."""
    return cell.isoformat() if isinstance(cell, datetime | date) else cell


def csv_response(header: list[str], rows: list[list[Any]], filename: str) -> Response[Any]:
    """UTF-8 CSV with a byte-order mark (so that spreadsheet programs keep å, ä and ö).

    Typed `Response[Any]`: it stands in for a handler's JSON answer when the client asked for CSV.
    Litestar adds the charset to a `text/*` media type itself.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    writer.writerows([spreadsheet_safe(_text(cell)) for cell in row] for row in rows)
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
