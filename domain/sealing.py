"""Free text sealed with a key of its own per report or action, so that destroying the key shreds it.

An event class lists its free-text fields in `sealed_fields` (dotted paths into its state, e.g.
`changes.place.old`). On the way to the store each such string is replaced by an envelope
`{"sealed": "<base64>"}` (AES-GCM, the eventsourcing library's AESCipher, with the subject's
key); on the way back it is opened again. Once the key is destroyed (a redaction, or the end of
the retention period) an envelope opens to REDACTED: the event is still there, its counts still
count, and the text is gone for good, whoever reads it, a rebuild of every projection included.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
from collections.abc import Iterator
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher

REDACTED = "[redacted]"
_NONCE, _TAG = 12, 16  # the library's layout of a sealed text: nonce, tag, then the encrypted bytes
KEY_BYTES = 32
ENVELOPE = "sealed"


def new_key() -> bytes:
    """A fresh random key for one subject (AES-256)."""
    return os.urandom(KEY_BYTES)


def sealed_paths(event_class: type) -> tuple[str, ...]:
    """The dotted paths of the free-text fields an event class seals (none for most)."""
    paths: tuple[str, ...] = getattr(event_class, "sealed_fields", ())
    return paths


class _KeyCipher(AESCipher):
    """The library's AES-GCM cipher, and so its format, made from a key's bytes.

    The library's own constructor reads a base64 key from an environment: for a key per event,
    that was half the cost of opening its text. Its decrypt makes an AESGCM for every text, which
    costs more than the decryption itself; here one serves all the texts of an event (figures in
    bench/RESULTS.md, "Figures behind the code's choices").
    """

    def __init__(self, key: bytes) -> None:  # not the library's: nothing to read from an environment
        self.check_key_size(len(key))
        self.key = key
        self._aead = AESGCM(key)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext of the library's layout (nonce, tag, encrypted), with the library's errors."""
        if len(ciphertext) < _NONCE:
            raise ValueError("Damaged cipher text: invalid nonce length")
        if len(ciphertext) < _NONCE + _TAG:
            raise ValueError("Damaged cipher text: invalid tag length")
        try:  # AESGCM wants the tag last
            return self._aead.decrypt(
                ciphertext[:_NONCE], ciphertext[_NONCE + _TAG :] + ciphertext[_NONCE : _NONCE + _TAG], None
            )
        except InvalidTag as error:
            raise ValueError("Invalid cipher tag") from error


def _cipher(key: bytes) -> AESCipher:
    # Not cached: a destroyed key must not live on in this process.
    return _KeyCipher(key)


@functools.cache
def _split(path: str) -> tuple[tuple[str, ...], str]:
    *parents, name = path.split(".")  # a handful of paths, each opened for every event that has it
    return tuple(parents), name


def _copied_slots(state: dict[str, Any], path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The (container, name) a dotted path ends in, in `state` whose dicts along it are copies (the rest shared)."""
    parents, name = _split(path)
    container = state
    for parent in parents:
        child = container.get(parent)
        if not isinstance(child, dict):
            return
        container[parent] = container = dict(child)
    if name in container:
        yield container, name


def seal(state: dict[str, Any], paths: tuple[str, ...], key: bytes) -> dict[str, Any]:
    """A copy of `state` with the text at `paths` sealed with `key` (None and absent values stay)."""
    sealed = dict(state)  # only what is sealed is copied: the event's own state stays as it is
    cipher = _cipher(key)
    for path in paths:
        for container, name in _copied_slots(sealed, path):
            value = container[name]
            if isinstance(value, str):
                token = base64.b64encode(cipher.encrypt(value.encode())).decode()
                container[name] = {ENVELOPE: token}
    return sealed


def unseal(state: dict[str, Any], paths: tuple[str, ...], key: bytes | None) -> None:
    """Open the envelopes at `paths` in place; without a key (destroyed) they read REDACTED."""
    cipher = None  # made at the first envelope: an event without text needs none
    for path in paths:
        parents, name = _split(path)
        container: Any = state
        for parent in parents:
            container = container.get(parent) if isinstance(container, dict) else None
        value = container.get(name) if isinstance(container, dict) else None
        if type(value) is dict and len(value) == 1 and ENVELOPE in value:
            if key is None:
                container[name] = REDACTED
            else:
                cipher = cipher or _cipher(key)
                container[name] = cipher.decrypt(binascii.a2b_base64(value[ENVELOPE])).decode()


def redact(state: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """A copy of a plain (opened) state with the text at `paths` replaced by REDACTED.

    What a read model that kept the text must hold once the key is gone: the same as it would
    get from a rebuild, in which every envelope opens to REDACTED.
    """
    redacted = dict(state)
    for path in paths:
        for container, name in _copied_slots(redacted, path):
            if isinstance(container[name], str):
                container[name] = REDACTED
    return redacted
