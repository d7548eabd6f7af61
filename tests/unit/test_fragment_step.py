"""A kept page's content is rendered in a step of the event loop of its own, after its data's."""

from __future__ import annotations

import asyncio

import pytest
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from service.pages import rendering

ROWS = "{% for n in rows %}<td>{{ n }}</td>{% endfor %}"


@pytest.fixture(autouse=True)
def rows_template(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = Environment(loader=DictLoader({"rows.html": ROWS}), autoescape=True)
    monkeypatch.setattr(rendering, "ENVIRONMENT", environment)


async def test_the_loop_serves_others_once_between_a_pages_data_and_its_render() -> None:
    turns = 0

    async def other() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await asyncio.sleep(0)  # the other task is running
    counted_from = turns
    html = await rendering.fragment("rows.html", rows=range(1000))
    task.cancel()
    assert turns - counted_from == 1
    assert html == "".join(f"<td>{n}</td>" for n in range(1000))


async def test_a_fragment_is_escaped_markup() -> None:
    html = await rendering.fragment("rows.html", rows=["<b>", "a & b"])
    assert isinstance(html, Markup)
    assert html == "<td>&lt;b&gt;</td><td>a &amp; b</td>"
