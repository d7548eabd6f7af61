"""Settings read from the environment, in one place (documented in the README)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from projections.runner import GATHER_SECONDS
from service.db.embedded_home import DEFAULT_HOME, home_from_env
from service.env_values import env_choice, env_int, env_networks, env_positive, env_rate, env_seconds


@dataclass(frozen=True)
class Settings:
    """What the service needs to know about its surroundings."""

    database_url: str | None
    """`DATABASE_URL`; unset means: start an embedded PostgreSQL in `data_dir`."""
    data_dir: Path
    """`LAGESBILD_DATA_DIR`: the embedded database and local development keys."""
    host: str
    """`LAGESBILD_HOST`: interface the API listens on."""
    port: int
    """`LAGESBILD_PORT`: port the API listens on."""
    pool_size: int
    """`LAGESBILD_DB_POOL_SIZE`: connections for queries (the event writer has its own)."""
    log_level: str
    """`LAGESBILD_LOG_LEVEL`: Python logging level name."""
    oidc_issuer: str | None = None
    """`LAGESBILD_OIDC_ISSUER`: the identity provider's issuer; set, tokens are verified against it."""
    oidc_audience: str | None = None
    """`LAGESBILD_OIDC_AUDIENCE`: the audience tokens must be issued for."""
    oidc_jwks_url: str | None = None
    """`LAGESBILD_OIDC_JWKS_URL`: where the issuer publishes its signing keys."""
    location_cell_m: int = 250
    """`LAGESBILD_LOCATION_CELL_M`: size of the grid cells locations are coarsened to."""
    hot_cell_min_reports: int = 3
    """`LAGESBILD_HOT_CELL_MIN_REPORTS`: cells with fewer reports are left out of hot spots."""
    page_cache_seconds: float = 2.0
    """`LAGESBILD_PAGE_CACHE_SECONDS`: how far Översikt and an area page may lag their read models (0: not at all).

    Not behind a write of the reader's own: the session says what it has written (service/pages/session.py).
    """
    max_body_bytes: int = 64 * 1024
    """`LAGESBILD_MAX_BODY_BYTES`: larger request bodies are refused with 413."""
    run_projections: bool = True
    """`LAGESBILD_PROJECTIONS`: `off` when `lagesbild project` runs them in a process of their own."""
    access_log: bool = True
    """`LAGESBILD_ACCESS_LOG`: `0` turns uvicorn's per-request log line off."""
    retention_days: int = 1826
    """`LAGESBILD_RETENTION_DAYS`: free text older than this is redacted (0: never)."""
    read_log_retention_days: int = 730
    """`LAGESBILD_READ_LOG_RETENTION_DAYS`: reads recorded longer ago are removed (0: never; else at least 30)."""
    migration_database_url: str | None = None
    """`LAGESBILD_MIGRATION_DATABASE_URL`: the schema owner's connection for migrations (default: DATABASE_URL)."""
    db_connect_timeout: float = 5.0
    """`LAGESBILD_DB_CONNECT_TIMEOUT`: seconds to open a database connection before answering 503."""
    db_command_timeout: float = 15.0
    """`LAGESBILD_DB_COMMAND_TIMEOUT`: seconds one statement may take before it is cancelled (503)."""
    append_resolve_seconds: float = 5.0
    """`LAGESBILD_APPEND_RESOLVE_SECONDS`: how long an append whose answer was lost waits to learn its fate."""
    write_rate: float | None = 10.0
    """`LAGESBILD_WRITE_RATE`: writes a second each token may make (after its burst); `off` (or 0): no limit."""
    write_burst: int = 50
    """`LAGESBILD_WRITE_BURST`: writes a token may make at once before the rate applies."""
    projection_gather_seconds: float = GATHER_SECONDS
    """`LAGESBILD_PROJECTION_GATHER_SECONDS`: following a busy log, how long a projection lets a batch gather."""
    max_header_bytes: int = 16 * 1024
    """`LAGESBILD_MAX_HEADER_BYTES`: a request line and header fields larger than this get 431."""
    header_timeout: float = 10.0
    """`LAGESBILD_HEADER_TIMEOUT`: seconds from a request's first byte (or the connection) to its last header."""
    body_timeout: float = 30.0
    """`LAGESBILD_BODY_TIMEOUT`: seconds from a request's headers to the end of its body."""
    max_connections: int = 1000
    """`LAGESBILD_MAX_CONNECTIONS`: open connections beyond this are answered 503 and closed."""
    shutdown_grace_seconds: float = 20.0
    """`LAGESBILD_SHUTDOWN_GRACE_SECONDS`: on SIGTERM, how long requests in flight may take; then cancelled."""
    session_key: str | None = None
    """`LAGESBILD_SESSION_KEY`: encrypts the pages' session cookies (32+ characters, the same on every replica)."""
    oidc_client_id: str | None = None
    """`LAGESBILD_OIDC_CLIENT_ID`: the pages' client at the issuer (sign-in by the authorization code flow)."""
    oidc_client_secret: str | None = None
    """`LAGESBILD_OIDC_CLIENT_SECRET`: the client's secret, for a confidential client (unset: a public one)."""
    oidc_redirect_url: str | None = None
    """`LAGESBILD_OIDC_REDIRECT_URL`: where the issuer sends the browser back (default: this host's /login/callback)."""
    oidc_claim_tenant: str = "tenant"
    """`LAGESBILD_OIDC_CLAIM_TENANT`: the ID token's claim that names the partnership."""
    oidc_claim_org: str = "org"
    """`LAGESBILD_OIDC_CLAIM_ORG`: the ID token's claim that names the organisation."""
    oidc_claim_roles: str = "roles"
    """`LAGESBILD_OIDC_CLAIM_ROLES`: the ID token's claim that lists the roles."""
    accessibility_contact: str = "tillganglighet@example.se"
    """`LAGESBILD_ACCESSIBILITY_CONTACT`: where the accessibility statement asks people to report a problem."""
    metrics_token: str | None = None
    """`LAGESBILD_METRICS_TOKEN`: set, `/metrics` answers only `Authorization: Bearer <it>`; unset, anyone."""
    embedded_pg_dir: Path = DEFAULT_HOME
    """`LAGESBILD_EMBEDDED_PG_DIR`: (root) where the embedded server keeps what its user cannot reach in the project."""
    token_max_lifetime_hours: float = 24.0
    """`LAGESBILD_TOKEN_MAX_LIFETIME_HOURS`: tokens whose expiry is further away than this are refused."""
    trusted_proxies: tuple[str, ...] = ()
    """`LAGESBILD_TRUSTED_PROXIES`: peers (IPs, CIDRs) whose X-Forwarded-*/Forwarded headers are believed (none)."""
    log_format: str = "text"
    """`LAGESBILD_LOG_FORMAT`: `text` (a line for people) or `json` (one JSON object per line)."""
    max_streams_per_subject: int = 5
    """`LAGESBILD_MAX_STREAMS_PER_SUBJECT`: live streams one subject may hold open in this process (then 429)."""
    max_areas_per_tenant: int = 500
    """`LAGESBILD_MAX_AREAS_PER_TENANT`: areas one partnership may define (then 409)."""
    max_categories_per_tenant: int = 200
    """`LAGESBILD_MAX_CATEGORIES_PER_TENANT`: categories of its own one partnership may add (then 409)."""
    import_max_bytes: int = 20 * 1024 * 1024
    """`LAGESBILD_IMPORT_MAX_BYTES`: the largest spreadsheet `POST /reports/import` takes (413 beyond)."""
    import_max_rows: int = 50_000
    """`LAGESBILD_IMPORT_MAX_ROWS`: the most rows one import may hold (422 beyond)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        if env.get("LAGESBILD_MIGRATION_DATABASE_URL") and not env.get("DATABASE_URL"):
            raise ValueError("LAGESBILD_MIGRATION_DATABASE_URL is set but DATABASE_URL is not: set both, or neither")
        read_log_days = env_int(env, "LAGESBILD_READ_LOG_RETENTION_DAYS", 730)
        if 0 < read_log_days < 30:
            raise ValueError(
                f"LAGESBILD_READ_LOG_RETENTION_DAYS must be 0 (keep for good) or at least 30, got {read_log_days}"
            )
        session_key = env.get("LAGESBILD_SESSION_KEY") or None
        if session_key is not None and len(session_key) < 32:
            raise ValueError("LAGESBILD_SESSION_KEY must be at least 32 characters (say, `openssl rand -hex 32`)")
        if env.get("LAGESBILD_OIDC_CLIENT_ID") and not (env.get("LAGESBILD_OIDC_ISSUER") and session_key):
            raise ValueError("LAGESBILD_OIDC_CLIENT_ID needs LAGESBILD_OIDC_ISSUER and LAGESBILD_SESSION_KEY")
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("LAGESBILD_DATA_DIR") or ".lagesbild").absolute(),
            host=env.get("LAGESBILD_HOST") or "127.0.0.1",
            port=env_int(env, "LAGESBILD_PORT", 8000),
            pool_size=env_int(env, "LAGESBILD_DB_POOL_SIZE", 10),
            log_level=(env.get("LAGESBILD_LOG_LEVEL") or "INFO").upper(),
            oidc_issuer=env.get("LAGESBILD_OIDC_ISSUER") or None,
            oidc_audience=env.get("LAGESBILD_OIDC_AUDIENCE") or None,
            oidc_jwks_url=env.get("LAGESBILD_OIDC_JWKS_URL") or None,
            location_cell_m=env_int(env, "LAGESBILD_LOCATION_CELL_M", 250),
            hot_cell_min_reports=env_int(env, "LAGESBILD_HOT_CELL_MIN_REPORTS", 3),
            page_cache_seconds=env_seconds(env, "LAGESBILD_PAGE_CACHE_SECONDS", 2.0, zero=True),
            max_body_bytes=env_int(env, "LAGESBILD_MAX_BODY_BYTES", 64 * 1024),
            access_log=(env.get("LAGESBILD_ACCESS_LOG") or "1") not in ("0", "false", "no"),
            run_projections=(env.get("LAGESBILD_PROJECTIONS") or "in-process") != "off",
            retention_days=env_int(env, "LAGESBILD_RETENTION_DAYS", 1826),
            read_log_retention_days=read_log_days,
            migration_database_url=env.get("LAGESBILD_MIGRATION_DATABASE_URL") or None,
            db_connect_timeout=env_seconds(env, "LAGESBILD_DB_CONNECT_TIMEOUT", 5.0),
            db_command_timeout=env_seconds(env, "LAGESBILD_DB_COMMAND_TIMEOUT", 15.0),
            append_resolve_seconds=env_seconds(env, "LAGESBILD_APPEND_RESOLVE_SECONDS", 5.0),
            write_rate=env_rate(env, "LAGESBILD_WRITE_RATE", 10.0),
            write_burst=env_int(env, "LAGESBILD_WRITE_BURST", 50),
            projection_gather_seconds=env_seconds(env, "LAGESBILD_PROJECTION_GATHER_SECONDS", GATHER_SECONDS),
            max_header_bytes=env_int(env, "LAGESBILD_MAX_HEADER_BYTES", 16 * 1024),
            header_timeout=env_seconds(env, "LAGESBILD_HEADER_TIMEOUT", 10.0),
            body_timeout=env_seconds(env, "LAGESBILD_BODY_TIMEOUT", 30.0),
            max_connections=env_int(env, "LAGESBILD_MAX_CONNECTIONS", 1000),
            shutdown_grace_seconds=env_seconds(env, "LAGESBILD_SHUTDOWN_GRACE_SECONDS", 20.0),
            session_key=session_key,
            oidc_client_id=env.get("LAGESBILD_OIDC_CLIENT_ID") or None,
            oidc_client_secret=env.get("LAGESBILD_OIDC_CLIENT_SECRET") or None,
            oidc_redirect_url=env.get("LAGESBILD_OIDC_REDIRECT_URL") or None,
            oidc_claim_tenant=env.get("LAGESBILD_OIDC_CLAIM_TENANT") or "tenant",
            oidc_claim_org=env.get("LAGESBILD_OIDC_CLAIM_ORG") or "org",
            oidc_claim_roles=env.get("LAGESBILD_OIDC_CLAIM_ROLES") or "roles",
            accessibility_contact=env.get("LAGESBILD_ACCESSIBILITY_CONTACT") or "tillganglighet@example.se",
            metrics_token=env.get("LAGESBILD_METRICS_TOKEN") or None,
            embedded_pg_dir=home_from_env(env),
            token_max_lifetime_hours=env_seconds(env, "LAGESBILD_TOKEN_MAX_LIFETIME_HOURS", 24.0, unit="hours"),
            trusted_proxies=env_networks(env, "LAGESBILD_TRUSTED_PROXIES"),
            log_format=env_choice(env, "LAGESBILD_LOG_FORMAT", ("text", "json")),
            max_streams_per_subject=env_positive(env, "LAGESBILD_MAX_STREAMS_PER_SUBJECT", 5),
            max_areas_per_tenant=env_positive(env, "LAGESBILD_MAX_AREAS_PER_TENANT", 500),
            max_categories_per_tenant=env_positive(env, "LAGESBILD_MAX_CATEGORIES_PER_TENANT", 200),
            import_max_bytes=env_int(env, "LAGESBILD_IMPORT_MAX_BYTES", 20 * 1024 * 1024),
            import_max_rows=env_int(env, "LAGESBILD_IMPORT_MAX_ROWS", 50_000),
        )
