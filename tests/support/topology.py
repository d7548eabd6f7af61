"""The production topology as processes: `lagesbild` commands with the settings the manifests give them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "lagesbild.env.example"
_NOT_HERE = ("LAGESBILD_OIDC_",)
"""Settings of the example left out here: there is no identity provider, so tokens are development ones."""


def deployed_settings(**overrides: str) -> dict[str, str]:
    """The example environment file's settings (as compose's `env_file`), with `overrides`."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {k: v for k, v in values.items() if not k.startswith(_NOT_HERE)} | overrides


class Lagesbild:
    """One `lagesbild <command>` process, its log in a file of its own."""

    def __init__(self, log_dir: Path, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name, self.log_path = name, log_dir / f"{name}.log"
        environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("LAGESBILD_")}
        self._log: IO[Any] = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", *command],
            env=environment | env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def wait(self, timeout: float = 60) -> int:
        """Wait for the process to end; its exit code."""
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._log.flush()

    def log(self) -> str:
        """What the process wrote so far."""
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """End the process if it still runs (SIGKILL after 30 s of SIGTERM)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
