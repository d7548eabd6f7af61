"""The codec between domain events and stored records: the eventsourcing library's Mapper."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)


def make_mapper() -> Mapper[UUID]:
    """A Mapper that stores event state as JSON; upcasting is the library's (class_version)."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr()):
        transcoder.register(transcoding)
    mapper: Mapper[Any] = Mapper(transcoder=transcoder)
    return mapper
