"""Behind a proxy (HTTP edge, outside the app): the client and scheme from a trusted proxy's headers.

`Forwarded` (RFC 7239) or else `X-Forwarded-For`/`X-Forwarded-Proto` are believed only when the
peer is in LAGESBILD_TRUSTED_PROXIES. The chain is read from the right (the nearest hop) and the
first address that is not itself a trusted proxy is the client; so a client cannot pass itself
off as someone else by sending the header itself. The scope's `client` and `scheme` are changed
in place, so that everything after (the access log, the metrics, the pages' cookies'
`Secure` flag) sees the real ones. uvicorn's own proxy headers are off (it trusts loopback by
default and knows no `Forwarded`).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

SCHEMES = frozenset({"http", "https"})
KNOWN_ADDRESSES = 4096  # addresses whose parse (and trust) is remembered
Hop = tuple[str | None, str | None]  # (client address, scheme) as one proxy saw it


@functools.lru_cache(maxsize=KNOWN_ADDRESSES)  # a proxy's peers and clients repeat; parsing costs microseconds
def _address(value: str) -> str | None:
    """The IP address in a `for` value (`192.0.2.1`, `192.0.2.1:80`, `"[2001:db8::1]:80"`), else None."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:  # "unknown", an obfuscated identifier, garbage: no address
        return None


def forwarded_hops(header: str) -> list[Hop]:
    """`Forwarded`'s elements, nearest hop last: the `for` address and `proto` of each."""
    hops: list[Hop] = []
    for element in header.split(","):
        address: str | None = None
        proto: str | None = None
        for pair in element.split(";"):
            name, _, value = pair.partition("=")
            name = name.strip().lower()
            if name == "for":
                address = _address(value)
            elif name == "proto":
                proto = value.strip().strip('"').lower()
        hops.append((address, proto))
    return hops


def x_forwarded_hops(for_header: str, proto_header: str | None) -> list[Hop]:
    """`X-Forwarded-For`'s addresses, nearest hop last, with `X-Forwarded-Proto`'s scheme on the one it fits."""
    addresses = [_address(a) for a in for_header.split(",")]
    protos = [p.strip().lower() for p in proto_header.split(",")] if proto_header else []
    if len(protos) == len(addresses):
        return list(zip(addresses, protos, strict=True))
    # One scheme (as proxies that overwrite the header send it): the nearest proxy's word.
    hops: list[Hop] = [(a, None) for a in addresses]
    if protos and hops:
        hops[-1] = (hops[-1][0], protos[-1])
    return hops


class TrustedProxies:
    """ASGI middleware: `scope["client"]` and `scope["scheme"]` from trusted proxies' headers."""

    def __init__(self, app: ASGIApp, networks: Sequence[str]) -> None:
        """`networks`: IP networks in CIDR form (LAGESBILD_TRUSTED_PROXIES); none trusts no one."""
        self.app, self.networks = app, tuple(ipaddress.ip_network(n) for n in networks)
        self._known: dict[str, bool] = {}  # address -> trusted: parsing an address costs microseconds

    def trusted(self, address: str | None) -> bool:
        """Whether `address` is one of the trusted proxies."""
        if address is None:
            return False
        known = self._known.get(address)
        if known is None:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                return False
            known = any(ip in network for network in self.networks)
            if len(self._known) < KNOWN_ADDRESSES:
                self._known[address] = known
        return known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the scope (only for a trusted peer), then pass it on."""
        if scope["type"] == ScopeType.HTTP and self.networks:
            peer = scope.get("client")
            if peer and self.trusted(peer[0]):
                self._rewrite(scope)
        await self.app(scope, receive, send)

    def _rewrite(self, scope: Scope) -> None:
        headers: dict[bytes, list[str]] = {}
        for name, value in scope["headers"]:
            if name in (b"forwarded", b"x-forwarded-for", b"x-forwarded-proto"):
                headers.setdefault(name, []).append(value.decode("latin-1"))
        if b"forwarded" in headers:
            hops = forwarded_hops(",".join(headers[b"forwarded"]))
        elif b"x-forwarded-for" in headers:
            schemes = headers.get(b"x-forwarded-proto")
            hops = x_forwarded_hops(",".join(headers[b"x-forwarded-for"]), ",".join(schemes) if schemes else None)
        elif b"x-forwarded-proto" in headers:  # a scheme without addresses: the proxy's own word
            hops = [(None, headers[b"x-forwarded-proto"][-1].split(",")[-1].strip().lower())]
        else:
            return
        address: str | None = None
        proto: str | None = None
        for hop_address, hop_proto in reversed(hops):  # from the nearest hop to the client
            address, proto = hop_address, hop_proto or proto  # (a scheme said nearer holds until one further out)
            if not self.trusted(hop_address):  # the first hop not itself a trusted proxy is the client
                break
        if address is not None:
            scope["client"] = (address, 0)
        if proto in SCHEMES:
            scope["scheme"] = proto
