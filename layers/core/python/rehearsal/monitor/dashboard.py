"""The dashboard: a self-contained HTML page (trend charts with anomalies marked, the adherence table human
vs AI per behaviour, the anomaly list with evidence ids) and the JSON document of the same report."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from rehearsal.evaluate.behaviours.spec import AGENT_KINDS
from rehearsal.monitor.adherence import AdherenceCell, AdherenceReport
from rehearsal.monitor.anomalies import Anomaly
from rehearsal.monitor.charts import Chart, Line, Mark, line_chart
from rehearsal.monitor.report import MonitorReport
from rehearsal.monitor.series import METRIC_KINDS, Metric, MetricKind, MonitorSeries

HTML_FILE = "monitor.html"
JSON_FILE = "monitor.json"
ADHERENCE = "adherence:"
_RATES = {metric.value for metric, kind in METRIC_KINDS.items() if kind is MetricKind.RATE}


def format_value(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if metric.startswith(ADHERENCE) or metric in _RATES:
        return f"{value:.1%}"
    if metric == Metric.MEAN_CSAT:
        return f"{value:.2f}"
    if metric == Metric.MEDIAN_HANDLE_TIME:
        return f"{value:.0f} s"
    return f"{value:.0f}"


def _marks(report: MonitorReport, metric: str, segment: str) -> list[Mark]:
    index = {start: i for i, start in enumerate(report.series.periods)}
    return [
        Mark(index[a.period], a.value, f"{a.direction.value}, z = {a.score:+.1f}")
        for a in report.anomalies
        if a.metric == metric and a.segment == segment and a.period in index
    ]


def _trend_charts(report: MonitorReport) -> list[tuple[str, list[Markup]]]:
    series: MonitorSeries = report.series
    sections = []
    for segment_series in series.segments:
        segment = str(segment_series.segment)
        charts = [
            line_chart(
                Chart(
                    title=f"{metric.value.replace('_', ' ')} · {segment}",
                    periods=series.periods,
                    lines=[Line(segment, [p.value(metric) for p in segment_series.points])],
                    marks=_marks(report, metric.value, segment),
                    fmt=partial(format_value, metric.value),
                    ceiling=1.0 if metric.value in _RATES else None,
                )
            )
            for metric in Metric
        ]
        sections.append((segment, charts))
    return sections


def _adherence_rows(adherence: AdherenceReport) -> list[dict[str, object]]:
    totals = {(c.behaviour_id, c.agent): c for c in adherence.totals}
    return [
        {"behaviour": b, "cells": [totals.get((b.id, agent)) for agent in AGENT_KINDS]}
        for b in adherence.behaviours
    ]


def _adherence_charts(report: MonitorReport, adherence: AdherenceReport) -> list[Markup]:
    charts = []
    applied = {cell.behaviour_id for cell in adherence.totals}
    for behaviour in (b for b in adherence.behaviours if b.id in applied):
        metric = f"{ADHERENCE}{behaviour.id}"
        lines = []
        marks: list[Mark] = []
        for agent in AGENT_KINDS:
            by_start: dict[object, AdherenceCell] = {
                c.start: c for c in adherence.cells_of(behaviour.id, agent)
            }
            values = [
                cell.adherence_rate if (cell := by_start.get(start)) else None
                for start in report.series.periods
            ]
            lines.append(Line(agent, values))
            marks.extend(_marks(report, metric, f"agent:{agent}"))
        charts.append(
            line_chart(
                Chart(
                    title=f"{behaviour.id} adherence",
                    periods=report.series.periods,
                    lines=lines,
                    marks=marks,
                    fmt=partial(format_value, metric),
                    ceiling=1.0,
                )
            )
        )
    return charts


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("rehearsal.monitor", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["metric"] = _metric_filter
    return environment


def _metric_filter(value: float | None, metric: str) -> str:
    """``{{ value|metric(name) }}`` in the template."""
    return format_value(metric, value)


def render_html(report: MonitorReport, *, title: str = "Monitoring") -> str:
    adherence = report.adherence
    anomalies: list[Anomaly] = report.anomalies
    return (
        _environment()
        .get_template("monitor.html.j2")
        .render(
            title=title,
            report=report,
            anomalies=anomalies,
            trends=_trend_charts(report),
            adherence=adherence,
            adherence_rows=_adherence_rows(adherence) if adherence else [],
            adherence_charts=_adherence_charts(report, adherence) if adherence else [],
            agents=AGENT_KINDS,
        )
    )


def render_json(report: MonitorReport) -> str:
    return report.model_dump_json(indent=2)


def write_dashboard(report: MonitorReport, out: Path, *, title: str = "Monitoring") -> tuple[Path, Path]:
    """Writes ``monitor.html`` and ``monitor.json`` into the folder ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out / HTML_FILE, out / JSON_FILE
    html_path.write_text(render_html(report, title=title), encoding="utf-8")
    json_path.write_text(render_json(report), encoding="utf-8")
    return html_path, json_path
