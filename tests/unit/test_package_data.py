"""Packaging: every file the service reads at run time besides its modules is in pyproject's package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_non_python_file_of_the_service_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["service"]
    service = ROOT / "service"
    included = {path for pattern in patterns for path in service.glob(pattern) if path.is_file()}
    needed = {
        path
        for path in service.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert any(path.suffix == ".js" for path in needed), "the docs page's files are where this test looks"
    assert needed - included == set()
