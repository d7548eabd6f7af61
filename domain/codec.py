"""The codec between domain events and stored records: the eventsourcing library's Mapper, sealing free text."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, cast
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
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from domain.sealing import seal, sealed_paths, unseal
from domain.typed_state import StateDecoder, Unsupported


class MsgspecTranscoder(JSONTranscoder):
    """The library's JSON transcoder (its encoding, its transcodings), parsing with msgspec.

    Decoding is what a catch-up spends most of its time on. msgspec parses the JSON, then the
    library's own hook revives the typed values: faster (bench/RESULTS.md), with the same objects
    as a result (tests/unit/test_codec.py).
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

    def walk(self, value: Any) -> Any:
        """A parsed JSON value revived as the library's decode would revive it."""
        return self._revive(value) if type(value) is dict or type(value) is list else value


class SealingMapper(Mapper[UUID]):
    """The library's Mapper (JSON, upcasting by class_version) that seals each event's free text.

    `key` is the data key of the event's aggregate (domain/sealing.py): needed to store an
    event with free text; without it (destroyed) such text reads back as REDACTED.
    A record of a known event class is decoded by its typed decoder (domain/typed_state.py), to
    the same event the library's path gives; any other record, by the library's path.
    """

    def __init__(self, transcoder: MsgspecTranscoder) -> None:
        super().__init__(transcoder=transcoder)
        self._walk = transcoder.walk
        self._decoders: dict[type, StateDecoder | None] = {}

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
        domain_event = self._typed_event(stored_event) or super().to_domain_event(stored_event)
        paths = sealed_paths(type(domain_event))
        if paths:
            unseal(vars(domain_event), paths, key)
        return domain_event

    def _typed_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID] | None:
        """The event as the library's to_domain_event makes it (no upcasting: version 1), or None."""
        cls = resolve_topic(stored_event.topic)
        try:
            decoder = self._decoders[cls]
        except KeyError:
            decoder = self._decoders[cls] = self._decoder(cls)
        if decoder is None:
            return None
        try:
            state = decoder(stored_event.state)
        except msgspec.MsgspecError:
            return None  # not this class's exact shape: the library's path decodes it (or says why not)
        id_type = cast(Hashable, type(stored_event.originator_id))
        state["originator_id"] = find_id_convertor(cls, id_type)(stored_event.originator_id)
        state["originator_version"] = stored_event.originator_version
        domain_event: DomainEventProtocol[UUID] = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event

    def _decoder(self, cls: type) -> StateDecoder | None:
        try:
            return StateDecoder(cls, self._walk)
        except (Unsupported, NameError, TypeError):  # annotations it cannot use, or cannot even resolve
            return None


def make_transcoder() -> MsgspecTranscoder:
    """The transcoder of the stored format: the library's JSON with UUIDs, datetimes and decimals."""
    transcoder = MsgspecTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr()):
        transcoder.register(transcoding)
    return transcoder


def make_mapper() -> SealingMapper:
    """A Mapper that stores event state as JSON; upcasting is the library's (class_version)."""
    return SealingMapper(make_transcoder())
