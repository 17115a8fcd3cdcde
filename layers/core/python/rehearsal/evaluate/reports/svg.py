"""Inline SVG charts for the HTML report: no script, no external asset, readable when printed."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

ROW = 22
LABEL_WIDTH = 280
BAR_WIDTH = 360
VALUE_WIDTH = 120


def rate_colour(rate: float | None) -> str:
    if rate is None:
        return "#9aa5b1"
    if rate >= 0.95:
        return "#2f9e44"
    return "#f08c00" if rate >= 0.7 else "#e03131"


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
        shown = "—" if rate is None else f"{rate:.0%}"
        bar = f'x="{LABEL_WIDTH}" y="{y + 3}" height="{ROW - 6}"'
        parts += [
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(_clip(label))}</text>',
            f'<rect {bar} width="{BAR_WIDTH}" fill="#eef1f4"/>',
            f'<rect {bar} width="{filled:.1f}" fill="{rate_colour(rate)}"/>',
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 15}">{escape(shown)} {escape(note)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
