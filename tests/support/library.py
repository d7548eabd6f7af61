"""The eventsourcing library's own PostgreSQL datastore, on one of our DSNs (tests, benchmarks)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from eventsourcing.postgres import PostgresDatastore


def library_datastore(dsn: str, pool_size: int = 1) -> PostgresDatastore:
    """A PostgresDatastore for the database at `dsn` (a URL, Unix socket folders included)."""
    url = urlsplit(dsn)
    query = parse_qs(url.query)
    return PostgresDatastore(
        dbname=url.path.lstrip("/"),
        host=query.get("host", [url.hostname or "localhost"])[0],
        port=query.get("port", [str(url.port or 5432)])[0],
        user=url.username or "postgres",
        password=url.password or "",
        pool_size=pool_size,
    )
