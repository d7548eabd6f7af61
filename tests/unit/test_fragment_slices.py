"""A kept page's content is rendered in slices, the event loop serving other requests between them."""

from __future__ import annotations

import asyncio

import pytest
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from service.pages import rendering

ROWS = "{% for n in rows %}<td>{{ n }}</td>{% endfor %}"
CELLS = 2000  # parts enough for several of the renderer's joins


@pytest.fixture
def rows_template(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = Environment(loader=DictLoader({"rows.html": ROWS}), autoescape=True)
    monkeypatch.setattr(rendering, "ENVIRONMENT", environment)


async def _render_counting_turns(rows: list[object]) -> tuple[Markup, int]:
    """The fragment, and how many turns another task got while it was rendered."""
    turns = 0

    async def other() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await asyncio.sleep(0)  # the other task is running
    counted_from = turns
    html = await rendering.fragment("rows.html", rows=rows)
    task.cancel()
    return html, turns - counted_from


@pytest.mark.usefixtures("rows_template")
async def test_a_render_past_its_slice_lets_the_loop_run_between_its_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rendering, "SLICE_SECONDS", 0.0)  # every part is past its slice
    html, turns = await _render_counting_turns(list(range(CELLS)))
    assert html == "".join(f"<td>{n}</td>" for n in range(CELLS))
    assert turns >= CELLS // rendering.PARTS_AT_A_TIME  # a turn after each join of parts (a cell is one part or more)


@pytest.mark.usefixtures("rows_template")
async def test_a_render_within_its_slice_lets_the_loop_run_once_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rendering, "SLICE_SECONDS", 60.0)
    html, turns = await _render_counting_turns(list(range(CELLS)))
    assert html == "".join(f"<td>{n}</td>" for n in range(CELLS))
    assert turns == 1


@pytest.mark.usefixtures("rows_template")
async def test_a_sliced_render_is_escaped_markup_as_a_whole_one_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rendering, "SLICE_SECONDS", 0.0)
    html, _ = await _render_counting_turns(["<b>", "a & b"])
    assert isinstance(html, Markup)
    assert html == "<td>&lt;b&gt;</td><td>a &amp; b</td>"
