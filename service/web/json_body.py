"""The app's request class: a JSON body nested too deeply for the decoder is a 400, not a crash."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException


class JsonBodyRequest(Request[Any, Any, Any]):
    """A Litestar request whose JSON body, nested deeper than Python's recursion limit, is refused with 400.

    msgspec decodes recursively and raises RecursionError (not a decode error) at about a thousand
    levels: a body of 64 KiB of `[` would otherwise end as a 500. No request body here nests beyond four.
    """

    async def json(self) -> Any:
        """The decoded body; 400 if it nests too deeply."""
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("the JSON body is nested too deeply") from None
