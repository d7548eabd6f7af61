"""A tenant of its own written to through the API (tests): tokens by role and org, the position each write reached."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from service.web.auth import mint_development_token
from tests.integration.api.conftest import Client


class TenantWriter:
    """Writes through `client`'s API in a fresh tenant; `position` is the furthest any of them reached."""

    def __init__(self, client: Client, data_dir: Path) -> None:
        self.client, self.data_dir = client, data_dir
        self.tenant = f"t-{uuid.uuid4().hex[:10]}"
        self.position = 0

    def headers(self, role: str, org: str = "kommunen", tenant: str | None = None) -> dict[str, str]:
        """A bearer token's header for one user of `org` with `role`, in this tenant (or `tenant`)."""
        token = mint_development_token(
            self.data_dir, sub=f"{org}-1", tenant=tenant or self.tenant, org=org, roles=[role]
        )
        return {"Authorization": f"Bearer {token}"}

    async def write(self, method: str, url: str, body: dict[str, Any] | None, role: str, org: str) -> dict[str, Any]:
        """`method` on /api/v1`url` as `role` of `org`: its answer (200 or 201), its position noted."""
        response = await self.client.request(method, f"/api/v1{url}", json=body, headers=self.headers(role, org))
        assert response.status_code in (200, 201), response.text
        written: dict[str, Any] = response.json()
        self.position = max(self.position, written["position"])
        return written
