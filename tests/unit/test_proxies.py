"""Reading proxies' headers: `Forwarded` elements and `X-Forwarded-For`/`-Proto`, nearest hop last."""

from __future__ import annotations

import pytest

from service.web.proxies import forwarded_hops, x_forwarded_hops


@pytest.mark.parametrize(
    ("header", "hops"),
    [
        ("for=192.0.2.60;proto=http;by=203.0.113.43", [("192.0.2.60", "http")]),
        ('For="[2001:db8:cafe::17]:4711"', [("2001:db8:cafe::17", None)]),
        ("for=192.0.2.43, for=198.51.100.17;proto=HTTPS", [("192.0.2.43", None), ("198.51.100.17", "https")]),
        ('for=192.0.2.43:8080;proto="https"', [("192.0.2.43", "https")]),
        ("for=unknown, for=_hidden;proto=https", [(None, None), (None, "https")]),
        ("for=999.1.1.1", [(None, None)]),
    ],
)
def test_forwarded_elements(header: str, hops: list[tuple[str | None, str | None]]) -> None:
    assert forwarded_hops(header) == hops


def test_x_forwarded_for_takes_a_scheme_per_hop_or_the_nearest_proxys_one() -> None:
    assert x_forwarded_hops("198.51.100.9, 10.0.0.2", "https, http") == [
        ("198.51.100.9", "https"),
        ("10.0.0.2", "http"),
    ]
    assert x_forwarded_hops("198.51.100.9, 10.0.0.2", "https") == [("198.51.100.9", None), ("10.0.0.2", "https")]
    assert x_forwarded_hops(" 198.51.100.9 ,garbage", None) == [("198.51.100.9", None), (None, None)]
