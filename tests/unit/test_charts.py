"""The server-rendered bar chart: an image named by its title, described by its table, and no
bar for a count the report withholds."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from chalicelib.console.charts import BAR_WIDTH, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_table() -> None:
    svg = _parse(bar_chart("grafiek", "Meldingen per sector", [Bar("Onderwijs", 12)], "tabel"))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "grafiek-titel" and svg.get("aria-describedby") == "tabel"
    title = svg.find(f"{SVG}title")
    assert title is not None and title.get("id") == "grafiek-titel" and title.text == "Meldingen per sector"


def test_bars_are_as_long_as_their_counts_and_a_withheld_count_has_none() -> None:
    svg = _parse(bar_chart("g", "t", [Bar("A", 20), Bar("B", 10), Bar("C", "<5")], "tabel"))
    widths = [int(rect.get("width", "0")) for rect in svg.iter(f"{SVG}rect")]
    assert widths == [BAR_WIDTH, BAR_WIDTH // 2]
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts == ["A", "20", "B", "10", "C", "<5"]


def test_labels_are_escaped() -> None:
    markup = bar_chart("g", "<b>titel</b>", [Bar("<script>", 5)], "tabel")
    assert "<script>" not in markup and "<b>" not in markup
    assert re.search("&lt;script&gt;", markup)
