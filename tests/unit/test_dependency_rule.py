"""The dependency rule, domain <- projections <- service, checked on the imports themselves."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = sys.stdlib_module_names


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    place = ROOT / package
    for path in sorted(place.rglob("*.py") if place.is_dir() else [place.with_suffix(".py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(path.name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path.name, node.module))
    return found


def test_the_domain_imports_the_standard_library_eventsourcing_domain_and_itself_only() -> None:
    for file, module in _imports("domain"):
        top = module.split(".")[0]
        allowed = top in STDLIB or top == "domain" or module == "eventsourcing.domain"
        # the codec is the one place that maps events to stored records (parsing them with msgspec,
        # typed by the event classes in typed_state.py), sealing their free text
        codec = ("eventsourcing.persistence", "eventsourcing.utils", "msgspec")
        allowed = allowed or (file == "codec.py" and module in codec)
        allowed = allowed or (file == "typed_state.py" and module == "msgspec")
        cipher = module == "eventsourcing.cryptography" or top == "cryptography"
        allowed = allowed or (file == "sealing.py" and cipher)
        # an area's boundary is checked as geometry, a domain rule (domain/boundary.py says why)
        allowed = allowed or (file == "boundary.py" and top in ("shapely", "numpy"))
        assert allowed, f"domain/{file} imports {module}"


@pytest.mark.parametrize(
    ("package", "forbidden"), [("domain", ("projections", "service")), ("projections", ("service",))]
)
def test_inner_layers_never_import_outer_ones(package: str, forbidden: tuple[str, ...]) -> None:
    for file, module in _imports(package):
        assert module.split(".")[0] not in forbidden, f"{package}/{file} imports {module}"


# service/'s rooms: the store and the database know nothing of HTTP; the use cases neither; the
# edge every route shares (web/) knows no route.
_HTTP = ("litestar", "service.web", "service.api", "service.pages", "service.app", "service.cli")


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("service/store", (*_HTTP, "service.audit")),
        ("service/db", (*_HTTP, "service.audit", "service.store")),
        ("service/commands", _HTTP),
        ("service/references", _HTTP),
        ("service/errors", _HTTP),
        ("service/identity", _HTTP),
        ("service/retention", _HTTP),
        ("service/area_lookup", _HTTP),
        ("service/catalogue", _HTTP),
        ("service/maps", _HTTP),
        ("service/web", ("service.api", "service.pages", "service.app", "service.cli")),
    ],
)
def test_service_rooms_import_inwards_only(package: str, forbidden: tuple[str, ...]) -> None:
    for file, module in _imports(package):
        assert not any(module == f or module.startswith(f"{f}.") for f in forbidden), (
            f"{package}/{file} imports {module}"
        )


def test_every_module_has_a_docstring() -> None:
    for package in ("domain", "projections", "service", "bench", "tests"):
        for path in (ROOT / package).rglob("*.py"):
            assert ast.get_docstring(ast.parse(path.read_text())), f"{path.relative_to(ROOT)} has no docstring"
