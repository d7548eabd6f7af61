"""A TCP proxy in front of PostgreSQL that breaks connections the way a network fault does.

It passes bytes through untouched. On demand it loses the server's next answer, cuts the
clients off while their server processes go on (as a broken network would: the server does
not notice), or refuses new connections.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class _Link:
    """One client connection and its connection to the server."""

    def __init__(self, client: asyncio.StreamWriter, server: asyncio.StreamWriter) -> None:
        self.client, self.server = client, server
        self.tasks: list[asyncio.Task[None]] = []


class FaultyProxy:
    """`async with FaultyProxy(dsn) as proxied_dsn`: the same database, reached through the proxy."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._lose_next_answer = False
        self.answers_lost = 0
        self.refusing = False
        """While true, new connections are closed at once (the database seems away)."""

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        parts = urlsplit(self._dsn)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("host", "port")]
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for link in list(self._links):
            link.client.close()
            link.server.close()
            for task in link.tasks:
                task.cancel()
        await self._server.wait_closed()

    def point_at(self, dsn: str) -> None:
        """New connections go to the server at `dsn` (a switchover's `-rw` service); open ones stay where they are."""
        self._dsn = dsn

    def lose_next_answer(self) -> None:
        """The server's next answer (on any connection) never arrives; that client is cut off."""
        self._lose_next_answer = True

    def cut_clients(self) -> None:
        """Cut every client off now; their server processes stay connected (and busy)."""
        for link in self._links:
            link.client.close()

    async def _open_server(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        parts = urlsplit(self._dsn)
        query = dict(parse_qsl(parts.query))
        port = query.get("port") or (str(parts.port) if parts.port else "5432")
        host = query.get("host") or parts.hostname or "localhost"
        if host.startswith("/"):
            return await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        return await asyncio.open_connection(host, int(port))

    async def _accept(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        if self.refusing:
            client.close()
            return
        server_reader, server = await self._open_server()
        link = _Link(client, server)
        self._links.add(link)
        link.tasks = [
            asyncio.create_task(self._pump(client_reader, server, link, towards_server=True)),
            asyncio.create_task(self._pump(server_reader, client, link, towards_server=False)),
        ]

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link, *, towards_server: bool
    ) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if not towards_server and self._lose_next_answer:
                    self._lose_next_answer = False
                    self.answers_lost += 1
                    link.client.close()
                    return
                writer.write(data)
                await writer.drain()
        # A client that went away leaves its server connection open, as a broken network does;
        # a client that said goodbye has told the server so in the bytes passed on.
        if not towards_server:
            link.client.close()
