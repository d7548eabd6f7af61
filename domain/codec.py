"""The codec between domain events and stored records: the eventsourcing library's Mapper, sealing free text."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)

from domain.sealing import seal, sealed_paths, unseal


class _Transcoder(JSONTranscoder):
    """The library's JSON transcoder (its encoding, its transcodings), parsing with msgspec.

    Decoding is what a catch-up spends most of its time on. msgspec parses the JSON, then the
    library's own hook revives the typed values: 6.5 against 9.1 µs for an event of the
    benchmark's log, with the same objects as a result (tests/unit/test_codec.py).
    """

    def __init__(self) -> None:
        super().__init__()
        self._parse = msgspec.json.Decoder().decode

    def decode(self, data: bytes) -> Any:
        """The object `data` encodes, as the library's decode would give it."""
        return self._revive(self._parse(data))

    def _revive(self, value: Any) -> Any:
        # bottom-up, every object through the library's hook, as json's object_hook does
        if type(value) is dict:
            for name, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[name] = self._revive(item)
            return self._decode_obj(value) if len(value) == 2 else value  # the hook's {"_type_", "_data_"}
        return [self._revive(item) if type(item) is dict or type(item) is list else item for item in value]


class SealingMapper(Mapper[UUID]):
    """The library's Mapper (JSON, upcasting by class_version) that seals each event's free text.

    `key` is the data key of the event's aggregate (domain/sealing.py): needed to store an
    event with free text; without it (destroyed) such text reads back as REDACTED.
    """

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID], key: bytes | None = None) -> StoredEvent:
        """The stored record of `domain_event`, its free text sealed with `key`."""
        paths = sealed_paths(type(domain_event))
        if paths:
            if key is None:
                raise ValueError(f"{type(domain_event).__qualname__} seals free text: it needs its aggregate's key")
            sealed: Any = object.__new__(type(domain_event))
            object.__setattr__(sealed, "__dict__", seal(vars(domain_event), paths, key))
            domain_event = sealed
        return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event: StoredEvent, key: bytes | None = None) -> DomainEventProtocol[UUID]:
        """The domain event of a stored record, its free text opened with `key` (REDACTED without)."""
        domain_event = super().to_domain_event(stored_event)
        paths = sealed_paths(type(domain_event))
        if paths:
            unseal(vars(domain_event), paths, key)
        return domain_event


def make_mapper() -> SealingMapper:
    """A Mapper that stores event state as JSON; upcasting is the library's (class_version)."""
    transcoder = _Transcoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr()):
        transcoder.register(transcoding)
    return SealingMapper(transcoder=transcoder)
