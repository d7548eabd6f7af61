"""One setting read from the environment and checked: an integer, seconds, a rate, networks or one of some choices."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def env_positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = env_int(env, name, default)
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, got {value}")
    return value


def env_seconds(env: Mapping[str, str], name: str, default: float, unit: str = "seconds", zero: bool = False) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of {unit}, got {raw!r}") from None
    if zero and value == 0:
        return value
    if not value > 0:
        raise ValueError(f"{name} must be more than 0 {unit}, got {raw!r}")
    return value


def env_rate(env: Mapping[str, str], name: str, default: float) -> float | None:
    """A positive number, or None for `off` (or 0)."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("off", "0", "no", "false"):
        return None
    try:
        rate = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number (per second) or off, got {raw!r}") from None
    if not 0 < rate < float("inf"):
        raise ValueError(f"{name} must be above 0 (or off), got {raw!r}")
    return rate


def env_networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated IP addresses and CIDR networks (an address is a network of one), in CIDR form."""
    networks = []
    for item in (env.get(name) or "").split(","):
        if not item.strip():
            continue
        try:
            networks.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise ValueError(
                f"{name} must be IP addresses or CIDR networks, comma-separated; {item!r} is not"
            ) from None
    return tuple(networks)


def env_choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first by default)."""
    raw = (env.get(name) or choices[0]).strip().lower()
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw
