"""The HTTP edge's bound on live streams: how many one subject may hold open in this process."""

from __future__ import annotations

from litestar.exceptions import TooManyRequestsException

from service.identity import Identity

RETRY_AFTER_SECONDS = 5


class StreamSlot:
    """One open stream's place; giving it back twice gives it back once."""

    def __init__(self, slots: StreamSlots, key: tuple[str, str]) -> None:
        self._slots, self._key, self._held = slots, key, True

    def release(self) -> None:
        """Free the place (the stream ended, or never started)."""
        if self._held:
            self._held = False
            self._slots._release(self._key)


class StreamSlots:
    """Open streams per subject (tenant and sub): beyond `per_subject`, 429 with Retry-After.

    Counted per process, not across replicas: a stream holds a connection to one process, and
    what this bounds is what one token can hold open there.
    """

    def __init__(self, per_subject: int) -> None:
        self.per_subject = per_subject
        self._open: dict[tuple[str, str], int] = {}

    def take(self, identity: Identity) -> StreamSlot:
        """A place for one more stream of `identity`'s subject, or TooManyRequestsException (429)."""
        key = (identity.tenant, identity.sub)
        held = self._open.get(key, 0)
        if held >= self.per_subject:
            raise TooManyRequestsException(
                f"this subject has {held} live streams open already (LAGESBILD_MAX_STREAMS_PER_SUBJECT);"
                " close one, or try again later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self._open[key] = held + 1
        return StreamSlot(self, key)

    def held(self, identity: Identity) -> int:
        """Streams `identity`'s subject holds open now."""
        return self._open.get((identity.tenant, identity.sub), 0)

    def _release(self, key: tuple[str, str]) -> None:
        left = self._open.get(key, 0) - 1
        if left > 0:
            self._open[key] = left
        else:
            self._open.pop(key, None)
