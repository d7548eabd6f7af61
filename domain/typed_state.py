"""Typed decoders of stored event state: msgspec parses and revives an event class's JSON in one pass.

The library's JSON writes a UUID as `{"_type_": "uuid_hex", "_data_": hex}` and a datetime as
`{"_type_": "datetime_iso", "_data_": iso}`. Its decoder parses the JSON, then walks every object
in Python to revive them. An event class's annotations say where they are, so msgspec can parse
and revive in one pass, in C (figures in bench/RESULTS.md).

A decoder gives the state the library's decoder gives, or raises (a msgspec.MsgspecError) and
the caller decodes the library's way: each field must hold exactly its annotated type, a field
the class does not annotate is refused, and whatever is annotated `Any` (`dict[str, Any]`) is
revived by the library's walk. A class with an annotation outside `_wire`'s few types, or a class
version above 1 (its records are upcast), gets no decoder.
"""

from __future__ import annotations

import operator
import types
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints
from uuid import UUID

import msgspec

from domain.sealing import ENVELOPE

Revive = Callable[[Any], Any]
"""Turns a field's decoded wire value into the value the library's decoder gives."""
_NONE = type(None)
_SET_BY_THE_MAPPER = frozenset({"originator_id", "originator_version"})  # from the record, not its state


class _UUID(msgspec.Struct, tag_field="_type_", tag="uuid_hex", forbid_unknown_fields=True):
    data: UUID = msgspec.field(name="_data_")


class _Datetime(msgspec.Struct, tag_field="_type_", tag="datetime_iso", forbid_unknown_fields=True):
    data: datetime = msgspec.field(name="_data_")


class _Sealed(msgspec.Struct, forbid_unknown_fields=True):
    token: str = msgspec.field(name=ENVELOPE)


class Unsupported(TypeError):
    """An annotation a typed decoder cannot promise to decode as the library does."""


_unwrap: Revive = operator.attrgetter("data")


def _envelope(value: Any) -> Any:
    return {ENVELOPE: value.token} if type(value) is _Sealed else value  # the library's form: a dict


def _or_none(revive: Revive) -> Revive:
    return lambda value: None if value is None else revive(value)


def _each(revive: Revive) -> Revive:
    return lambda values: [revive(value) for value in values]


def _wire(annotation: Any, sealed: bool, walk: Revive) -> tuple[Any, Revive | None]:
    """The type msgspec decodes a field's JSON as, and how its value becomes the library's."""
    if annotation in (str, int, bool, _NONE):  # not float: the library keeps 3 an int, msgspec would not
        return (str | _Sealed, _envelope) if sealed and annotation is str else (annotation, None)
    if annotation is UUID:
        return _UUID, _unwrap
    if annotation is datetime:
        return _Datetime, _unwrap
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is Any or (origin is dict and args == (str, Any)):
        return Any, walk
    if origin in (types.UnionType, Union) and len(args) == 2 and _NONE in args:
        wire, revive = _wire(args[0] if args[1] is _NONE else args[1], sealed, walk)
        return wire | None, revive and _or_none(revive)
    if origin is list and len(args) == 1:
        wire, revive = _wire(args[0], False, walk)
        return list[wire], revive and _each(revive)  # type: ignore[valid-type]
    raise Unsupported(f"no typed decoding for {annotation!r}")


class StateDecoder:
    """Decodes the stored state of one event class as the library would, or raises."""

    def __init__(self, event_class: type, walk: Revive) -> None:
        """`walk`: the library's revival of a parsed JSON value (for fields annotated `Any`)."""
        if getattr(event_class, "class_version", 1) != 1:
            raise Unsupported(f"{event_class.__qualname__} is upcast from older versions")
        sealed = set(getattr(event_class, "sealed_fields", ()))
        fields, self._revivals = [], []
        for name, annotation in get_type_hints(event_class).items():
            if name in _SET_BY_THE_MAPPER or get_origin(annotation) is ClassVar:
                continue
            wire, revive = _wire(annotation, name in sealed, walk)
            fields.append((name, wire))
            if revive is not None:
                self._revivals.append((name, revive))
        # every field required, none other allowed: a record that is not exactly this shape is the library's
        shape = msgspec.defstruct(event_class.__name__, fields, forbid_unknown_fields=True)
        self._decode = msgspec.json.Decoder(shape).decode

    def __call__(self, data: bytes) -> dict[str, Any]:
        """The state `data` encodes, in the library's form (raises msgspec.MsgspecError if not this class's)."""
        state: dict[str, Any] = msgspec.structs.asdict(self._decode(data))
        for name, revive in self._revivals:
            state[name] = revive(state[name])
        return state
