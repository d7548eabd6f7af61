"""The eventsourcing library's own PostgreSQL datastore, on one of our DSNs (tests, benchmarks)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from eventsourcing.postgres import PostgresDatastore


def library_env(dsn: str) -> dict[str, str]:
    """The library's POSTGRES_* settings for the database at `dsn` (a URL, Unix socket folders included)."""
    url = urlsplit(dsn)
    query = parse_qs(url.query)
    return {
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": query.get("host", [url.hostname or "localhost"])[0],
        "POSTGRES_PORT": query.get("port", [str(url.port or 5432)])[0],
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
    }


def library_datastore(dsn: str, pool_size: int = 1) -> PostgresDatastore:
    """A PostgresDatastore for the database at `dsn`."""
    env = library_env(dsn)
    return PostgresDatastore(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        pool_size=pool_size,
    )
