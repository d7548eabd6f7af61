"""Helpers for the read-log tests: a tenant of one's own, flushing the app's read log, reading it back."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from service.audit.read_log import ReadLog
from tests.integration.api.conftest import Client, Token


def new_tenant() -> str:
    """A tenant no other test uses."""
    return f"t-{uuid.uuid4().hex[:10]}"


def read_log_of(client: Client) -> ReadLog:
    """The read log of the app under test."""
    read_log: ReadLog = client.app.state.read_log
    return read_log


async def flush(client: Client) -> None:
    """Write what the app's read log holds (in the app's own event loop, where its connection lives)."""
    await asyncio.to_thread(client.blocking_portal.call, read_log_of(client).flush)


async def recorded_reads(client: Client, auth: Token, tenant: str, **params: Any) -> list[dict[str, Any]]:
    """What is recorded for the tenant that matches `params`, as its auditor (`revisor`) sees it."""
    await flush(client)
    response = await client.get(
        "/api/v1/audit/reads", params={"limit": 500, **params}, headers=auth("auditor", tenant=tenant, sub="revisor")
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["next_cursor"] is None
    mine = ("revisor", "audit_reads")  # this helper's own earlier reads, unless asked for
    return [e for e in body["reads"] if (e["actor"], e["resource"]) != mine or "resource" in params]
