"""The pages' settings: the session key's length, what an OIDC client needs, when cookies are Secure."""

from __future__ import annotations

import pytest

from service.pages.session import check_claims, secure_cookies
from service.settings import Settings


def test_a_short_session_key_is_refused() -> None:
    with pytest.raises(ValueError, match="LAGESBILD_SESSION_KEY must be at least 32"):
        Settings.from_env({"LAGESBILD_SESSION_KEY": "short"})


def test_an_oidc_client_needs_an_issuer_and_a_session_key() -> None:
    with pytest.raises(ValueError, match="needs LAGESBILD_OIDC_ISSUER and LAGESBILD_SESSION_KEY"):
        Settings.from_env({"LAGESBILD_OIDC_CLIENT_ID": "pages", "LAGESBILD_OIDC_ISSUER": "https://idp.example"})


@pytest.mark.parametrize(
    ("host", "secure"),
    [("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True), ("10.0.0.5", True)],
)
def test_cookies_are_secure_off_loopback(host: str, secure: bool) -> None:
    assert secure_cookies(Settings.from_env({"LAGESBILD_HOST": host})) is secure


@pytest.mark.parametrize(
    ("sub", "tenant", "org", "roles"),
    [("", "t", "o", ["reporter"]), ("s", "t" * 201, "o", ["reporter"]), ("s", "t", "o\x00", ["reporter"]),
     ("s", "t", "o", []), ("s", "t", "o", ["chief"]), ("s", "t", "o", "reporter"), (1, "t", "o", ["reporter"])],
)  # fmt: skip
def test_claims_out_of_bounds_make_no_identity(sub: object, tenant: object, org: object, roles: object) -> None:
    assert check_claims(sub, tenant, org, roles) is None


def test_claims_in_bounds_make_the_identity() -> None:
    identity = check_claims("s", "jonkoping", "kommunen", ["reporter", "auditor"])
    assert identity is not None
    assert identity.roles == frozenset({"reporter", "auditor"})
