"""Inline SVG trend charts for the dashboard: one line per series over the periods, anomalies as red dots
with their score as a tooltip. No script and no external asset, so the page opens anywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH = 460
HEIGHT = 150
LEFT = 56  # room for the y-axis labels
BOTTOM = 22  # room for the first and last period under the axis
TOP = 22  # room for the caption
PALETTE = ("#4a78a8", "#e08a1e", "#2f9e44", "#7048e8")
ANOMALY = "#e03131"


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Mark:
    index: int
    value: float
    note: str


@dataclass(frozen=True)
class Chart:
    title: str
    periods: Sequence[date]
    lines: Sequence[Line]
    marks: Sequence[Mark] = field(default_factory=tuple)
    fmt: Callable[[float], str] = str
    ceiling: float | None = None  # 1.0 for rates, so 0–100 % always fills the same height


def line_chart(chart: Chart) -> Markup:
    values = [v for line in chart.lines for v in line.values if v is not None]
    if not chart.periods or not values:
        return Markup(f'<p class="muted">{escape(chart.title)}: no data</p>')
    top = chart.ceiling if chart.ceiling is not None else max([*values, 1e-9])
    plot_w, plot_h = WIDTH - LEFT - 6, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(chart.periods) - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step

    def y(value: float) -> float:
        return TOP + plot_h * (1 - min(value, top) / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}"><title>{escape(chart.title)}</title>',
        f'<text x="{LEFT}" y="13" font-weight="bold">{escape(chart.title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 6}" y2="{TOP + plot_h}" stroke="#ccd"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{escape(chart.fmt(top))}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">{escape(chart.fmt(0.0))}</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 6}">{chart.periods[0].isoformat()}</text>',
        f'<text x="{WIDTH - 6}" y="{HEIGHT - 6}" text-anchor="end">{chart.periods[-1].isoformat()}</text>',
    ]
    for number, line in enumerate(chart.lines):
        colour = PALETTE[number % len(PALETTE)]
        if len(chart.lines) > 1:  # a legend only when there is something to tell apart
            parts.append(
                f'<text x="{WIDTH - 6 - 56 * number}" y="13" text-anchor="end" fill="{colour}">'
                f"{escape(line.label)}</text>"
            )
        for run in _runs(line.values):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}">'
                f"<title>{escape(line.label)}</title></polyline>"
            )
    for mark in chart.marks:
        parts.append(
            f'<circle cx="{x(mark.index):.1f}" cy="{y(mark.value):.1f}" r="4" fill="{ANOMALY}">'
            f"<title>{escape(chart.periods[mark.index].isoformat())}: {escape(mark.note)}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Unbroken stretches of values: a period with no data breaks the line instead of drawing a zero."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]
