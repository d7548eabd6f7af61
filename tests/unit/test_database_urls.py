"""The two database URLs: the service's and the migrations' (the schema owner's)."""

from __future__ import annotations

import pytest

from service.db.location import database_urls
from service.db.roles import DatabaseUrls, urls_for, with_user
from service.settings import Settings

SERVICE = "postgresql://lagesbild_api:secret@db.example.internal:5432/lagesbild"
OWNER = "postgresql://lagesbild_owner:other@db.example.internal:5432/lagesbild"


def test_migrations_use_the_service_url_unless_told_otherwise() -> None:
    with database_urls(Settings.from_env({"DATABASE_URL": SERVICE})) as urls:
        assert urls == DatabaseUrls(service=SERVICE, migration=SERVICE)


def test_migrations_use_the_owners_url_when_given() -> None:
    settings = Settings.from_env({"DATABASE_URL": SERVICE, "LAGESBILD_MIGRATION_DATABASE_URL": OWNER})
    with database_urls(settings) as urls:
        assert urls == DatabaseUrls(service=SERVICE, migration=OWNER)


def test_an_owners_url_without_a_service_url_is_refused() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        Settings.from_env({"LAGESBILD_MIGRATION_DATABASE_URL": OWNER})


def test_the_embedded_servers_urls_name_the_roles_and_keep_the_socket() -> None:
    superuser = "postgresql://postgres@/lagesbild?host=/srv/lagesbild/.lagesbild/pg&port=5432"
    assert urls_for(superuser) == DatabaseUrls(
        service="postgresql://lagesbild_api@/lagesbild?host=/srv/lagesbild/.lagesbild/pg&port=5432",
        migration="postgresql://lagesbild_owner@/lagesbild?host=/srv/lagesbild/.lagesbild/pg&port=5432",
    )
    assert with_user("postgresql://postgres:pw@127.0.0.1:5433/x", "lagesbild_api") == (
        "postgresql://lagesbild_api@127.0.0.1:5433/x"
    )
