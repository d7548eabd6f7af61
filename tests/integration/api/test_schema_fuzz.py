"""Hostile input: schemathesis generates requests from /schema/openapi.json and sends them over real HTTP.

The whole app runs behind uvicorn on the test database. Every operation (but the endless /stream) gets
the cases schemathesis derives from the schema's bounds (its coverage phase) and a fixed number of
generated ones, valid and invalid, deterministically. No answer may be a 5xx, and every answer must be
one the document describes: its status code, its content type and its body's schema.

Schemathesis runs as its command-line tool, in two processes of its own that share the operations
between them: its pytest integration depends on pytest internals (it breaks on pytest 9.2), its
command line is the interface it keeps stable.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from service.web.auth import ROLES, mint_development_token
from tests.support.server import serving

EXAMPLES_PER_OPERATION = 12
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
CATEGORIES = ["klotter", "belysning", "brand"]
FIRST_HALF = "^/api/v1/(areas|reports)"
"""The operations of the first of the two runs (about half of the generated cases); the second has the rest."""


@pytest.fixture(scope="module")
def api(database_dsn: str, data_dir: Path) -> Iterator[str]:
    """The whole app behind uvicorn, without the write rate limit (the fuzzer writes fast); its base URL."""
    env = {
        "DATABASE_URL": database_dsn, "LAGESBILD_DATA_DIR": str(data_dir), "LAGESBILD_ACCESS_LOG": "0",
        "LAGESBILD_WRITE_RATE": "off",
    }  # fmt: skip
    with serving(create_app(Settings.from_env(env), database_dsn)) as base:
        yield base


@pytest.fixture(scope="module")
def token(data_dir: Path) -> str:
    """A token of the tenant jonkoping with every role."""
    return mint_development_token(data_dir, sub="fuzz-1", tenant="jonkoping", org="kommunen", roles=sorted(ROLES))


def _known_ids(base: str, token: str) -> dict[str, str]:
    """Real things to offer the generator: an area, a spare one to retire, a report, an action."""
    with httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}) as http:

        def post(url: str, body: dict[str, object]) -> str:
            response = http.post(url, json=body)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        suffix = uuid.uuid4().hex[:6]
        area = post("/areas", {"code": f"fuzz-{suffix}", "name": "Råslätt"})
        spare = post("/areas", {"code": f"fuzz-spare-{suffix}", "name": "Öxnehaga"})
        report = post("/reports", {"area_id": area, "category": "klotter", "week": "2026-W47", "count": 2})
        action = post("/actions", {"area_id": area, "title": "Sanering", "responsible_org": "kommunen",
                                   "report_ids": [report], "categories": ["klotter"]})  # fmt: skip
    return {"area_id": area, "spare_area_id": spare, "report_id": report, "action_id": action}


def _config(known: dict[str, str]) -> str:
    """schemathesis.toml: deterministic generation, and the real ids offered half of the time."""
    dictionaries = {name: [value] for name, value in known.items()} | {"category": CATEGORIES}
    bindings = {
        "area_id": "area_id", "body.area_id": "area_id", "body.changes.area_id": "area_id",
        "report_id": "report_id", "body.report_ids[*]": "report_id", "action_id": "action_id",
        "body.category": "category", "body.changes.category": "category", "body.categories[*]": "category",
    }  # fmt: skip
    lines = [
        "[generation]",
        "deterministic = true",
        f"max-examples = {EXAMPLES_PER_OPERATION}",
        'database = "none"',
        "with-security-parameters = false",
        "[dictionaries]",
        *(f"{name} = {{ values = {json.dumps(values)} }}" for name, values in dictionaries.items()),
        "[parameters]",
        *(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in bindings.items()),
        # Retiring the area every other operation uses would leave them little to do: retire the spare one.
        "[[operations]]",
        'include-path-regex = "/retirement$"',
        'parameters = { area_id = { dictionary = "spare_area_id", probability = 0.5 } }',
    ]
    return "\n".join(lines) + "\n"


def test_no_server_errors_and_every_answer_as_documented(api: str, token: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(_known_ids(api, token)))
    # Two runs at once, each over half of the operations: schemathesis takes a core of its own
    # (its --workers fail in its coverage phase), and the machine has two.
    halves = {"first": ["--include-path-regex", FIRST_HALF], "second": ["--exclude-path-regex", FIRST_HALF]}
    runs = {}
    for name, which in halves.items():
        command = [
            sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{api}/schema/openapi.json",
            "--header", f"Authorization: Bearer {token}", "--checks", CHECKS, *which,
            "--phases", "examples,coverage,fuzzing", "--exclude-path", "/api/v1/stream",  # an endless response
            "--workers", "1", "--request-timeout", "10", "--report", "json",
            "--report-json-path", str(tmp_path / f"{name}.json"), "--no-color",
        ]  # fmt: skip
        with (tmp_path / f"{name}.log").open("w") as log:  # a file: a full pipe would stall a run
            runs[name] = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    for name, run in runs.items():
        run.wait(timeout=600)
        assert run.returncode == 0, (tmp_path / f"{name}.log").read_text()[-20_000:]
    summaries = [json.loads((tmp_path / f"{name}.json").read_text()) for name in halves]
    tested = sum(s["operations"]["tested"] for s in summaries)
    assert tested == summaries[0]["operations"]["total"] - 1  # all but /stream, between the two
    assert all(s["operations"]["tested"] > 0 for s in summaries)
    assert sum(s["test_cases"]["generated"] for s in summaries) > 1000
    assert [(s["failures"], s["errors"]) for s in summaries] == [([], [])] * 2
