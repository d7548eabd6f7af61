"""Importing reports from CSV and .xlsx over HTTP: a dry run stores nothing, a second import nothing new."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.imports.tables import CSV, XLSX
from service.settings import Settings
from tests.integration.api.conftest import Client, Token, head
from tests.support.read_log import new_tenant

COLUMNS = ["area", "category", "occurred_at", "week", "count", "place", "description", "source", "external_id"]


async def _partnership(client: Client, auth: Token) -> tuple[str, str, str]:
    """A new partnership with one area (code, Swedish name): the tenant, the area's code and its name."""
    tenant, code = new_tenant(), f"omr-{uuid.uuid4().hex[:6]}"
    response = await client.post(
        "/api/v1/areas", json={"code": code, "name": "Öxnehaga"}, headers=auth("admin", tenant=tenant)
    )
    assert response.status_code == 201, response.text
    return tenant, code, "Öxnehaga"


def _rows(code: str, n: int) -> list[list[Any]]:
    """`n` good rows: by code and by name, a time or a week, every third with an external id."""
    return [
        [
            code if i % 2 else "öxnehaga",
            "klotter" if i % 3 else "Skadegörelse",
            f"2026-0{1 + i % 9}-1{i % 10} 2{i % 4}:{i % 60:02d}" if i % 4 else "",
            "" if i % 4 else f"2026-W{1 + i % 40:02d}",
            1 + i % 7,
            f"Trapphus {i}",
            "Klotter på väggen" if i % 5 else "",
            "own_observation" if i % 2 else "",
            f"ext-{i}" if i % 3 == 0 else "",
        ]
        for i in range(n)
    ]


def _csv(rows: list[list[Any]], delimiter: str = ";", columns: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode()  # Swedish Excel's "CSV UTF-8": a BOM, semicolons


def _xlsx(rows: list[list[Any]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet, when = book.add_worksheet("Rapporter"), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, COLUMNS)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
        if row[2]:  # a time as Excel keeps it (a number), not as text
            sheet.write_datetime(r, 2, datetime.fromisoformat(row[2]), when)
    book.close()
    return out.getvalue()


async def _import(client: Client, headers: dict[str, str], body: bytes, media: str, dry: bool = False) -> Any:
    url = "/api/v1/reports/import" + ("?dry_run=true" if dry else "")
    response = await client.post(url, content=body, headers=headers | {"Content-Type": media})
    assert response.status_code == 200, response.text
    return response.json()


async def _read_after(client: Client, headers: dict[str, str], position: int) -> Any:
    """The newest reports once the read model has reached `position`.

    A 503 (the read model is catching up on 5,000 events, which may take longer than a read waits) is
    asked again, as its Retry-After says: the read itself waits on the position, so this is no busy loop.
    """
    while (
        page := await client.get("/api/v1/reports", params={"min_position": position}, headers=headers)
    ).status_code == 503:
        assert page.headers["retry-after"]
    assert page.status_code == 200, page.text
    return page.json()


async def test_a_csv_of_5000_rows_is_checked_then_stored_then_not_again(client: Client, auth: Token) -> None:
    tenant, code, _ = await _partnership(client, auth)
    reporter, body = auth("reporter", tenant=tenant, org="vatterhem"), _csv(_rows(code, 5000))
    before = await head(client)
    dry = await _import(client, reporter, body, CSV, dry=True)
    assert (dry["dry_run"], dry["would_create"], dry["created"], dry["refused"]) == (True, 5000, 0, 0)
    assert dry["results"][0] == {"row": 2, "status": "would_create", "report_id": dry["results"][0]["report_id"]}
    assert await head(client) == before  # nothing stored
    done = await _import(client, reporter, body, CSV)
    assert (done["created"], done["already_there"], done["problems"]) == (5000, 0, [])
    assert [r["report_id"] for r in done["results"]] == [r["report_id"] for r in dry["results"]]
    assert await head(client) == before + 5000  # one event a row, and nothing else
    newest = await _read_after(client, reporter, done["position"])
    assert newest["reports"][0]["id"] in {r["report_id"] for r in done["results"]}  # read your writes
    again = await _import(client, reporter, body, CSV)
    assert (again["created"], again["already_there"]) == (0, 5000)
    assert await head(client) == done["position"]  # nothing new


async def test_an_xlsx_of_5000_rows_gives_the_same_reports_once(client: Client, auth: Token) -> None:
    tenant, code, _ = await _partnership(client, auth)
    reporter, body = auth("coordinator", tenant=tenant, org="kommunen"), _xlsx(_rows(code, 5000))
    dry = await _import(client, reporter, body, XLSX, dry=True)
    assert (dry["would_create"], dry["refused"]) == (5000, 0), dry["problems"][:3]
    done = await _import(client, reporter, body, XLSX)
    assert done["created"] == 5000
    again = await _import(client, reporter, body, XLSX)
    assert (again["created"], again["already_there"]) == (0, 5000)
    listed = (await client.get(f"/api/v1/reports/{done['results'][1]['report_id']}", headers=reporter)).json()
    assert (listed["org"], listed["occurred_at"][:16]) == ("kommunen", "2026-02-11T21:01")


async def test_bad_rows_are_listed_by_row_and_column_and_the_good_ones_stored(client: Client, auth: Token) -> None:
    tenant, code, _ = await _partnership(client, auth)
    reporter = auth("reporter", tenant=tenant)
    rows: list[list[Any]] = [
        [code, "klotter", "2026-03-01 10:00", "", 1, "", "", "", ""],  # row 2: good
        ["ingenstans", "klotter", "2026-03-01 10:00", "", 1, "", "", "", ""],  # 3: no such area
        [code, "kaffe", "2026-03-01 10:00", "", 1, "", "", "", ""],  # 4: no such category
        [code, "klotter", "igår", "", 1, "", "", "", ""],  # 5: not a time
        [code, "klotter", "2026-03-01 10:00", "", "två", "", "", "", ""],  # 6: not a number
        [code, "klotter", "2026-03-01 10:00", "", 1, "", "Ring 811218-9876", "", ""],  # 7: personal data
        [code, "klotter", "2099-03-01 10:00", "", 1, "", "", "", ""],  # 8: the future
        [code, "klotter", "", "", 1, "", "", "", ""],  # 9: neither time nor week
        [code, "klotter", "", "2026-W10", 1, "", "", "hörsägen", ""],  # 10: no such source
        [code, "brand", "", "2026-W11", 3, "Soprummet", "", "public_tip", "x-1"],  # 11: good
    ]
    result = await _import(client, reporter, _csv(rows, delimiter=","), CSV)
    assert (result["created"], result["refused"]) == (2, 8)
    assert [(p["row"], p["column"]) for p in result["problems"]] == [
        (3, "area"), (4, "category"), (5, "occurred_at"), (6, "count"),
        (7, "description"), (8, "occurred_at"), (9, "occurred_at"), (10, "source"),
    ]  # fmt: skip
    assert "811218" not in str(result)
    statuses = {r["row"]: r["status"] for r in result["results"]}
    assert (statuses[2], statuses[7], statuses[11]) == ("created", "refused", "created")


async def test_a_file_that_cannot_be_imported_changes_nothing(client: Client, auth: Token) -> None:
    tenant, code, _ = await _partnership(client, auth)
    reporter, before = auth("reporter", tenant=tenant), await head(client)
    url = "/api/v1/reports/import"
    no_area = _csv([["klotter", "2026-W10"]], columns=["category", "week"])
    response = await client.post(url, content=no_area, headers=reporter | {"Content-Type": CSV})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "columns.area")
    response = await client.post(url, content=b"\xff\xfe;;", headers=reporter | {"Content-Type": CSV})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "file")
    response = await client.post(url, content=b"PK\x03\x04 trasig", headers=reporter | {"Content-Type": XLSX})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "file")
    response = await client.post(url, content=b"{}", headers=reporter | {"Content-Type": "application/json"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "Content-Type")
    response = await client.post(url, content=_csv(_rows(code, 3)), headers=auth("auditor", tenant=tenant))
    assert response.status_code == 403
    assert await head(client) == before


async def test_an_import_beyond_its_bounds_is_refused(database_dsn: str, data_dir: Path, auth: Token) -> None:
    env = {"DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir)}
    settings = Settings.from_env(env | {"LAGESBILD_IMPORT_MAX_ROWS": "10", "LAGESBILD_IMPORT_MAX_BYTES": "4000"})
    async with AsyncTestClient(create_app(settings, database_dsn)) as client:
        tenant, code, _ = await _partnership(client, auth)
        reporter, url = auth("reporter", tenant=tenant) | {"Content-Type": CSV}, "/api/v1/reports/import"
        response = await client.post(url, content=_csv(_rows(code, 11)), headers=reporter)
        assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "rows")
        response = await client.post(url, content=_csv(_rows(code, 200)), headers=reporter)
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/api/v1/reports", headers=reporter)).json()["reports"] == []


async def test_equal_rows_are_equal_sightings_but_one_external_id_is_one_report(client: Client, auth: Token) -> None:
    tenant, code, _ = await _partnership(client, auth)
    reporter, police = auth("reporter", tenant=tenant), auth("reporter", tenant=tenant, org="polisen-syd")
    same = [code, "klotter", "", "2026-W12", 1, "Busshållplatsen", "", "", ""]
    rows: list[list[Any]] = [same, same, [*same[:8], "k-7"], [*same[:4], 2, *same[5:8], "k-7"]]
    first = await _import(client, reporter, _csv(rows), CSV)
    assert [r["status"] for r in first["results"]] == ["created", "created", "created", "already_there"]
    again = await _import(client, reporter, _csv(rows), CSV)
    assert again["created"] == 0
    other_org = await _import(client, police, _csv(rows), CSV)  # another organisation's rows are its own
    assert other_org["created"] == 3
