"""What the synthetic log (bench/events.py) keeps track of as it goes: its reports and actions, the actions' titles."""

from __future__ import annotations

from uuid import UUID, uuid4

ACTION_TITLES = (
    "Ny belysning längs gångvägen", "Ökad närvaro kvällstid vid centrum", "Låsbyte och ny passage till soprum",
    "Fartdämpande åtgärder på gång- och cykelvägen", "Sanering av klotter inom 24 timmar", "Extra städrunda helger",
)  # fmt: skip


class _Report:
    __slots__ = ("area", "category", "count", "description", "id", "retracted", "tenant", "version")

    def __init__(self, tenant: str, area: UUID, category: str, count: int, description: str) -> None:
        self.id, self.version, self.retracted = uuid4(), 1, False
        self.tenant, self.area, self.category, self.count, self.description = tenant, area, category, count, description


class _Action:
    __slots__ = ("id", "status", "tenant", "version")

    def __init__(self, tenant: str) -> None:
        self.id, self.version, self.status, self.tenant = uuid4(), 1, "planned", tenant
