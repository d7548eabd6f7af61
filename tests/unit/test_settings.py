"""Settings from the environment: defaults, values, and a clear error for a bad one."""

from __future__ import annotations

import pytest

from service.settings import Settings


def test_how_long_a_projection_lets_a_batch_gather_is_a_setting() -> None:
    assert Settings.from_env({}).projection_gather_seconds == 0.06
    assert Settings.from_env({"LAGESBILD_PROJECTION_GATHER_SECONDS": "0.1"}).projection_gather_seconds == 0.1
    for bad in ("0", "soon"):
        with pytest.raises(ValueError, match="LAGESBILD_PROJECTION_GATHER_SECONDS"):
            Settings.from_env({"LAGESBILD_PROJECTION_GATHER_SECONDS": bad})


def test_the_metrics_token_is_a_setting_and_empty_means_none() -> None:
    assert Settings.from_env({}).metrics_token is None
    assert Settings.from_env({"LAGESBILD_METRICS_TOKEN": ""}).metrics_token is None
    assert Settings.from_env({"LAGESBILD_METRICS_TOKEN": "s3cret-scrape"}).metrics_token == "s3cret-scrape"


def test_the_longest_token_lifetime_is_a_setting() -> None:
    assert Settings.from_env({}).token_max_lifetime_hours == 24
    assert Settings.from_env({"LAGESBILD_TOKEN_MAX_LIFETIME_HOURS": "1.5"}).token_max_lifetime_hours == 1.5
    for bad in ("0", "-1", "a day"):
        with pytest.raises(ValueError, match=r"LAGESBILD_TOKEN_MAX_LIFETIME_HOURS.*hours"):
            Settings.from_env({"LAGESBILD_TOKEN_MAX_LIFETIME_HOURS": bad})
