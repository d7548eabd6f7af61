"""The `lagesbild` command's arguments (outermost layer): each command, its options and their help."""

from __future__ import annotations

import argparse
from pathlib import Path

from projections.registry import PROJECTIONS
from service import demo
from service.settings import Settings
from service.web.auth import ROLES


def parser(settings: Settings) -> argparse.ArgumentParser:
    """The parser of `lagesbild`'s command line, its defaults from `settings`."""
    root = argparse.ArgumentParser(prog="lagesbild", description="Lägesbild service")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the API (embedded PostgreSQL if no DATABASE_URL)")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--demo", action="store_true", help="seed the demo tenant first if it is empty")
    commands.add_parser("migrate", help="apply the database schema")
    commands.add_parser("demo", help=f"seed demo data for the tenant {demo.TENANT!r} if it is empty")
    commands.add_parser(
        "project", help="run the projections in this process (then serve with LAGESBILD_PROJECTIONS=off)"
    )
    rebuild = commands.add_parser("rebuild", help="rebuild a read model from position zero, then switch readers to it")
    rebuild.add_argument("projection", choices=sorted(PROJECTIONS))
    commands.add_parser(
        "retention",
        help="redact free text older than LAGESBILD_RETENTION_DAYS (the service does it hourly) and, as the"
        " schema's owner, remove reads older than LAGESBILD_READ_LOG_RETENTION_DAYS",
    )
    audit = commands.add_parser("audit", help="the hash chain: export its heads, or verify it")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    head = audit_commands.add_parser("head", help="print each tenant's chain head (JSON), to keep outside")
    head.add_argument("--tenant", help="only this tenant")
    verify = audit_commands.add_parser(
        "verify", help="recompute the chains from their first events; exit 1 if one does not hold"
    )
    verify.add_argument("--tenant", help="only this tenant (default: every tenant with a chain)")
    verify.add_argument("--head", type=argparse.FileType("r"), help="heads printed earlier by `audit head`")
    imports = commands.add_parser("import", help="bring data in").add_subparsers(dest="import_command", required=True)
    police = imports.add_parser("police-events", help="the police's events feed (JSON) as reports; each event once")
    police.add_argument("file", type=Path, help="a JSON list of events as the police's open feed gives them")
    police.add_argument("--tenant", required=True, help="the partnership the reports belong to")
    police.add_argument("--org", default="polisen", help="the organisation they are reports of (default: polisen)")
    police.add_argument("--area-map", type=Path, help='JSON: {"areas": {place: area code}, "types": {type: category}}')
    token = commands.add_parser("token", help="print a development token (local key; not with OIDC)")
    token.add_argument("--tenant", required=True)
    token.add_argument("--org", required=True)
    token.add_argument("--roles", required=True, help=f"comma-separated, from {', '.join(sorted(ROLES))}")
    token.add_argument("--sub", required=True, help="the user id")
    token.add_argument("--hours", type=float, help="validity (default 8; at most LAGESBILD_TOKEN_MAX_LIFETIME_HOURS)")
    return root
