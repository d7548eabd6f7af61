"""deploy/compose.yaml, its env file and the roles script: the compose specification, and what they set up."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import asyncpg
import jsonschema
import pytest

from service.db.embedded import EmbeddedPostgres
from service.db.location import with_database
from service.settings import Settings
from tests.deploy.manifests import DEPLOY, ROOT, documents, schema

COMPOSE = documents(DEPLOY / "compose.yaml")[0]
ENV_EXAMPLE = DEPLOY / "lagesbild.env.example"


def test_the_compose_file_validates_against_the_compose_specification() -> None:
    validator = jsonschema.Draft7Validator(schema("compose-spec.json"))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(COMPOSE)] == []
    broken = COMPOSE | {"services": COMPOSE["services"] | {"api": COMPOSE["services"]["api"] | {"replica": 2}}}
    assert list(validator.iter_errors(broken))  # a misspelt key is caught


def _service(name: str) -> dict[str, Any]:
    service: dict[str, Any] = COMPOSE["services"][name]
    return service


def test_the_topology_is_a_database_a_migration_two_apis_and_a_projections_worker() -> None:
    assert re.fullmatch(r"postgres:\d+(-\w+)?", _service("db")["image"])  # a pinned major version
    assert "healthcheck" in _service("db")
    assert _service("migrate")["command"] == ["migrate"]
    assert _service("migrate")["environment"]["DATABASE_URL"].startswith("postgresql://lagesbild_owner:")
    assert _service("api")["command"] == ["serve"]
    assert _service("api")["deploy"]["replicas"] == 2
    assert _service("api")["environment"]["LAGESBILD_PROJECTIONS"] == "off"
    assert _service("projections")["command"] == ["project"]
    for name in ("api", "projections"):
        assert _service(name)["environment"]["DATABASE_URL"].startswith("postgresql://lagesbild_api:")
        assert _service(name)["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    for name in ("migrate", "api", "projections"):
        assert _service(name)["read_only"] is True
        assert [t.split(":")[0] for t in _service(name)["tmpfs"]] == ["/tmp"]
        assert _service(name)["cap_drop"] == ["ALL"]
        assert _service(name)["env_file"] == "lagesbild.env"
        assert "OWNER_PASSWORD" not in str(_service(name)) or name == "migrate"
    (mount,) = [v for v in _service("db")["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert (DEPLOY / mount.split(":")[0]).resolve() == DEPLOY / "postgres" / "roles.sql"


def _readme_settings() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Settings\n", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", table, flags=re.MULTILINE)


def test_the_env_example_names_every_setting_with_a_comment() -> None:
    sources = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "service").rglob("*.py"))
    in_code = set(re.findall(r'"((?:DATABASE_URL|LAGESBILD_[A-Z_]+))"', sources))  # settings.py and its helpers
    assert set(_readme_settings()) == in_code  # the README's table is complete
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for name in in_code:
        (line,) = [i for i, text in enumerate(lines) if re.match(rf"#? ?{name}=", text)]
        assert lines[line - 1].startswith("#"), f"{name} has no comment above it"
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    Settings.from_env(values | {"DATABASE_URL": "postgresql://lagesbild_api@db/lagesbild"})  # every value parses


def _psql(dsn: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [
        EmbeddedPostgres.binary("psql"),
        "--no-psqlrc",
        "--quiet",
        "-d",
        dsn,
        "-f",
        str(DEPLOY / "postgres/roles.sql"),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=env)


@pytest.mark.asyncio
async def test_the_roles_script_runs_twice_on_a_cluster_that_has_the_roles(admin_dsn: str) -> None:
    """The README's set-up, rerun where the roles (and maybe the database) exist: no error."""
    server = with_database(admin_dsn, "postgres")
    admin = await asyncpg.connect(server)
    try:
        had_database = await admin.fetchval("SELECT count(*) FROM pg_database WHERE datname = 'lagesbild'")
        env = {"LAGESBILD_DB_OWNER_PASSWORD": "owner-secret", "LAGESBILD_DB_API_PASSWORD": "api-secret"}
        try:
            for _ in range(2):
                result = _psql(server, env)
                assert result.returncode == 0, result.stderr
            assert await admin.fetchval("SELECT pg_has_role('lagesbild_api', 'lagesbild_service', 'MEMBER')")
            assert await admin.fetchval("SELECT pg_has_role('lagesbild_service', 'lagesbild_reader', 'MEMBER')")
            settings = await admin.fetchval(
                "SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
                " WHERE r.rolname = 'lagesbild_api' AND s.setdatabase = 0"
            )
            assert "role=lagesbild_service" in settings
            owner = await admin.fetchval("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'lagesbild'")
            assert owner == "lagesbild_owner"
            missing = _psql(server, {"LAGESBILD_DB_OWNER_PASSWORD": "owner-secret"})  # no API password: stops
            assert missing.returncode != 0
        finally:
            await admin.execute("ALTER ROLE lagesbild_owner PASSWORD NULL")
            await admin.execute("ALTER ROLE lagesbild_api PASSWORD NULL")
            if not had_database:
                await admin.execute("DROP DATABASE IF EXISTS lagesbild")
    finally:
        await admin.close()
