"""A primary and its streaming standby (the embedded PostgreSQL's binaries), switched over as CloudNativePG does."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from service.db.embedded import EmbeddedPostgres


@contextlib.contextmanager
def primary_and_standby() -> Iterator[tuple[EmbeddedPostgres, EmbeddedPostgres]]:
    """A running primary and a hot standby streaming from it (`pg_basebackup -R`), both stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="lb-ha-"))
    folder.chmod(0o711)  # the servers' own user (when we are root) must be able to enter it
    primary, standby = EmbeddedPostgres(folder / "primary"), EmbeddedPostgres(folder / "standby")
    try:
        primary.start()
        standby.prepare()
        standby.run(
            "pg_basebackup", "--pgdata", str(standby.pgdata), "--write-recovery-conf", "--wal-method=stream",
            "--checkpoint=fast", "--dbname", primary.dsn(),
        )  # fmt: skip
        # The primary keeps its socket in its data folder: the copy of its lock would stop the standby's start.
        (standby.pgdata / ".s.PGSQL.5432.lock").unlink(missing_ok=True)
        standby.start()  # its standby.signal keeps it in recovery, following the primary
        yield primary, standby
    finally:
        for server in (standby, primary):
            if server.is_running():
                server.started_here = True
                server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def switch_over(primary: EmbeddedPostgres, standby: EmbeddedPostgres) -> None:
    """What the operator does in a switchover: shut the primary down (fast), then promote the standby."""
    primary.stop()
    standby.run("pg_ctl", "--pgdata", str(standby.pgdata), "promote", "--wait")
