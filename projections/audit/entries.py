"""How one event becomes an entry of the audit trail, and what a redaction leaves of one: pure functions.

No I/O: the projection (projection.py) finds each stream's area so far, makes the entries of a
batch with these and COPYs them in; after a redaction it rewrites the stream's summaries.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from domain.action import Action
from domain.area import Area
from domain.assessment import Assessment
from domain.category import Category
from domain.report import Report
from domain.sealing import redact, sealed_paths
from projections.generations import Recorded

COLUMNS = (
    "position", "recorded_at", "tenant", "actor", "org", "event_type", "aggregate_type", "aggregate_id",
    "version", "area_id", "summary",
)  # fmt: skip
"""An entry's columns, in the order of the tuples `entry_of` makes."""
AREA = COLUMNS.index("area_id")
Entry = tuple[Any, ...]
_JSON = msgspec.json.Encoder(enc_hook=str)  # as json.dumps(default=str), several times faster
_SKIP = {"originator_id", "originator_version", "timestamp", "originator_topic", "by", "org", "tenant"}


def _sealed_by_type() -> dict[tuple[str, str], tuple[str, ...]]:
    """(aggregate type, event type) -> the free-text paths its events seal (and so its summaries hold)."""
    found = {}
    for aggregate in (Report, Action):
        for event_class in vars(aggregate).values():
            if isinstance(event_class, type) and sealed_paths(event_class):
                found[(aggregate.__name__, event_class.__name__)] = sealed_paths(event_class)
    return found


_SEALED = _sealed_by_type()
REDACTIONS = (Report.Redacted, Action.Redacted)
"""The events after which a stream's entries are rewritten (`redacted_summary`)."""


def is_audited(event: Any) -> bool:
    """Whether the event is one a partner made (it names a tenant): those have an entry."""
    return hasattr(event, "tenant")


def entry_of(r: Recorded, stream_area: UUID | None) -> Entry:
    """The entry of an audited event; `stream_area` is the area its stream's latest entry names (None if none)."""
    e = r.event
    return (
        r.position, r.recorded_at, e.tenant, e.by, e.org, type(e).__name__, aggregate_type(e), r.originator_id,
        r.version, area_of(e, r.originator_id, stream_area), _JSON.encode(summary_of(e)).decode(),
    )  # fmt: skip


def summary_of(event: Any) -> dict[str, Any]:
    """What the event says, less the envelope: for a correction, the fields with old and new values."""
    if isinstance(event, Report.Corrected):
        return {"changes": event.changes, "reason": event.reason}
    return {k: v for k, v in vars(event).items() if k not in _SKIP}


def area_of(event: Any, oid: UUID, stream_area: UUID | None) -> UUID | None:
    """The area an entry is about: the one its event names, else its stream's so far."""
    if isinstance(event, Area.Event):
        return oid
    if isinstance(event, (Report.Submitted, Action.Planned, Assessment.Drafted)):
        return _uuid(event.area_id)
    if isinstance(event, Report.Corrected) and "area_id" in event.changes:
        return _uuid(event.changes["area_id"]["new"])
    return stream_area


def aggregate_type(event: Any) -> str:
    """The name of the aggregate an event belongs to (Report, Action...)."""
    for cls in (Report, Action, Assessment, Area, Category):
        if isinstance(event, cls.Event):
            return cls.__name__
    return type(event).__qualname__.split(".")[0]


def redacted_summary(aggregate_type: str, event_type: str, summary: str) -> str | None:
    """An entry's summary once its stream is redacted (its free text REDACTED); None if it holds no free text."""
    paths = _SEALED.get((aggregate_type, event_type))
    if not paths:
        return None
    return _JSON.encode(redact(msgspec.json.decode(summary), paths)).decode()


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
