"""The pages' SVG charts: valid XML, a text alternative, bars to scale, nothing told by colour alone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from service.pages.charts import BOTTOM, HEIGHT, TOP, bar_chart, describe, nice_scale

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = [("2026-W44", 0), ("2026-W45", 5), ("2026-W46", 2), ("2026-W47", 3)]


def _parsed(points: list[tuple[str, int]], title: str = "Klotter") -> ET.Element:
    return ET.fromstring(str(bar_chart("chart-klotter", title, "Förekomster", points)))


@pytest.mark.parametrize(
    ("largest", "scale"),
    [(0, (1, 1)), (1, (1, 1)), (3, (3, 1)), (5, (5, 1)), (7, (8, 2)), (12, (15, 5)), (48, (50, 10)), (230, (250, 50))],
)
def test_the_value_axis_ends_on_a_round_step_above_the_largest_value(largest: int, scale: tuple[int, int]) -> None:
    assert nice_scale(largest) == scale
    top, step = scale
    assert top >= largest
    assert top // step <= 5


def test_the_chart_is_an_image_labelled_by_its_title_and_description() -> None:
    svg = _parsed(WEEKS)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-klotter-title"
    assert svg.get("aria-describedby") == "chart-klotter-desc"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == "chart-klotter-title"
    assert title.text == "Klotter"
    assert desc is not None
    assert desc.get("id") == "chart-klotter-desc"
    assert desc.text == (
        "Förekomster vecka 2026-W44 till 2026-W47: totalt 10, flest vecka 2026-W45 (5), senaste veckan 2026-W47 3."
    )


def test_bars_are_drawn_to_scale_and_carry_their_week_and_value_in_words() -> None:
    svg = _parsed(WEEKS)
    bars = svg.findall(f"{SVG}rect")
    plot_height = HEIGHT - TOP - BOTTOM
    heights = [float(bar.get("height", "")) for bar in bars]
    assert heights == pytest.approx([0, plot_height, plot_height * 2 / 5, plot_height * 3 / 5], abs=0.1)
    assert [bar.findtext(f"{SVG}title") for bar in bars] == [f"Vecka {w}: {v}" for w, v in WEEKS]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__tick"] == ["0", "1", "2", "3", "4", "5"]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__value"] == ["0", "5", "2", "3"]


def test_a_year_of_weeks_labels_every_few_weeks_back_from_the_latest() -> None:
    points = [(f"2026-W{n:02d}", n % 7) for n in range(1, 53)]
    svg = _parsed(points)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__label"]
    assert labels == [f"v{n}" for n in range(4, 53, 6)]
    assert len(svg.findall(f"{SVG}rect")) == 52
    assert not [t for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__value"]


def test_text_is_escaped_and_an_empty_period_is_said_in_words() -> None:
    svg = _parsed([("2026-W47", 0)], title='Kategori <"&">')
    assert svg.findtext(f"{SVG}title") == 'Kategori <"&">'
    assert svg.findtext(f"{SVG}desc") == "Förekomster vecka 2026-W47 till 2026-W47: inga under perioden."
    assert describe("Förekomster", []) == "Förekomster: inga veckor att visa."
