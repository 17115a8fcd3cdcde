"""Inline SVG charts for the HTML report: no script, no external asset, readable when printed."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from rehearsal.evaluate.reports.figures import percent, rate_tone

ROW = 22
LABEL_WIDTH = 300
BAR_WIDTH = 360
VALUE_WIDTH = 240
LABEL_CHARACTERS = 44  # what fits in LABEL_WIDTH at the chart's font size; the full label is the tooltip

COLOURS = {"good": "#2f9e44", "warn": "#f08c00", "bad": "#e03131", "": "#9aa5b1"}
FAILED_SHARE = "#ffc9c9"  # the part of a bar that failed: a 0 % bar is visibly red, not an empty track
NO_DATA = "#eef1f4"


def rate_colour(rate: float | None) -> str:
    return COLOURS[rate_tone(rate)]


def bar_chart(rows: Sequence[tuple[str, float | None, str]], *, title: str) -> Markup:
    """Horizontal bars of rates in [0, 1]; each row is (label, rate, note shown after the value)."""
    height = ROW * len(rows) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, rate, note) in enumerate(rows):
        y = 4 + index * ROW
        filled = 0.0 if rate is None else max(0.0, min(1.0, rate)) * BAR_WIDTH
        bar = f'x="{LABEL_WIDTH}" y="{y + 3}" height="{ROW - 6}"'
        track = NO_DATA if rate is None else FAILED_SHARE
        parts += [
            f"<g><title>{escape(label)}: {escape(percent(rate, 0))} {escape(note)}</title>",
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(_clip(label))}</text>',
            f'<rect {bar} width="{BAR_WIDTH}" fill="{track}"/>',
            f'<rect {bar} width="{filled:.1f}" fill="{rate_colour(rate)}"/>',
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 15}">'
            f'<tspan class="value">{escape(percent(rate, 0))}</tspan> {escape(note)}</text></g>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _clip(text: str, limit: int = LABEL_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
