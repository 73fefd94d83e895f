"""A horizontal bar chart as SVG, rendered on the server: no script, no library, no fetch.

The chart is an image whose name comes from its ``<title>``; the numbers are in the table the page
shows beside it, which is the chart's text alternative. A count shown as ``"<5"`` gets no bar: a bar's
length would give away the number the report withholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

LABEL_WIDTH = 220
BAR_WIDTH = 300
VALUE_WIDTH = 60
ROW_HEIGHT = 28
BAR_HEIGHT = 18
# Rijkshuisstijl's dark blue: 8.6:1 against white, so bars stand out as non-text content must.
BAR_COLOUR = "#01689b"
TEXT_COLOUR = "#000000"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | str


def bar_chart(chart_id: str, title: str, bars: list[Bar], table_id: str) -> Markup:
    """``bars`` as an SVG element named ``title``, described by the table with id ``table_id``."""
    counts = [bar.value for bar in bars if isinstance(bar.value, int)]
    largest = max(counts, default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(len(bars), 1) * ROW_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="console-chart" role="img" '
        f'aria-labelledby="{chart_id}-titel" aria-describedby="{table_id}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<title id="{chart_id}-titel">{escape(title)}</title>',
    ]
    for row, bar in enumerate(bars):
        top = row * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{TEXT_COLOUR}">{escape(bar.label)}</text>'
        )
        length = round(BAR_WIDTH * bar.value / largest) if isinstance(bar.value, int) else 0
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{top + (ROW_HEIGHT - BAR_HEIGHT) / 2}" width="{length}" '
                f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" dominant-baseline="middle" '
            f'fill="{TEXT_COLOUR}">{escape(str(bar.value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it escaped above; the rest is numbers)
