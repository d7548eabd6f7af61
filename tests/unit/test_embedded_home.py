"""Choosing where the embedded server's user keeps its cluster: who can enter which folder, and the names."""

from __future__ import annotations

import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.db.embedded import _MAX_SOCKET_PATH
from service.db.embedded_home import DEFAULT_HOME, cluster_place, home_from_env, unreachable_part

# A user that owns nothing here and belongs to no group of ours.
STRANGER = pwd.struct_passwd(("lb-stranger", "x", 54321, 54321, "", "/", "/bin/false"))


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder open to all in the temporary folder (pytest's own are closed to others)."""
    folder = Path(tempfile.mkdtemp(prefix="lb-home-test-"))
    folder.chmod(0o755)
    assert unreachable_part(folder, STRANGER) is None, "the temporary folder is closed to others"
    yield folder
    shutil.rmtree(folder)


def _folder(path: Path, mode: int) -> Path:
    path.mkdir()
    path.chmod(mode)
    return path


def test_a_folder_closed_to_others_on_the_way_is_named(base: Path) -> None:
    closed = _folder(base / "closed", 0o700)
    inner = _folder(closed / "inner", 0o755)
    assert unreachable_part(inner, STRANGER) == closed
    assert unreachable_part(closed, STRANGER) == closed
    assert unreachable_part(_folder(base / "search-only", 0o711), STRANGER) is None  # o+x is enough
    assert unreachable_part(_folder(base / "list-only", 0o744), STRANGER) == base / "list-only"


def test_the_owner_and_the_group_are_judged_by_their_own_bits(base: Path) -> None:
    mine = _folder(base / "mine", 0o700)
    owner = pwd.struct_passwd(("lb-owner", "x", mine.stat().st_uid, 54322, "", "/", "/bin/false"))
    group = pwd.struct_passwd(("lb-group", "x", 54323, mine.stat().st_gid, "", "/", "/bin/false"))
    assert unreachable_part(mine, owner) is None
    assert unreachable_part(mine, group) == mine
    mine.chmod(0o077)  # open to all but its owner
    assert unreachable_part(mine, owner) == mine
    assert unreachable_part(mine, group) is None
    mine.chmod(0o701)  # not to its group, but to others
    assert unreachable_part(mine, group) == mine
    assert unreachable_part(mine, STRANGER) is None


def test_the_cluster_place_is_named_for_its_folder_and_path() -> None:
    home = Path("/var/lib/lagesbild-pg")
    one = cluster_place(Path("/root/proj/.lagesbild/pg-test"), home)
    assert one.parent == home
    assert one.name.startswith("pg-test-")
    assert one == cluster_place(Path("/root/proj/.lagesbild/pg-test"), home)
    assert one != cluster_place(Path("/root/other/.lagesbild/pg-test"), home)
    # the server's socket in the default place fits in sun_path
    assert len(str(one / ".s.PGSQL.5432")) <= _MAX_SOCKET_PATH


def test_the_home_is_a_setting() -> None:
    assert home_from_env({}) == DEFAULT_HOME
    assert home_from_env({"LAGESBILD_EMBEDDED_PG_DIR": "/srv/pg"}) == Path("/srv/pg")
    assert home_from_env({"LAGESBILD_EMBEDDED_PG_DIR": ""}) == DEFAULT_HOME
