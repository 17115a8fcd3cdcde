"""The self-contained HTML report: the gate decision and its reasons, headline figures, what changed since
the baseline (with side-by-side transcripts), charts by scenario and by requirement, and the transcripts of
failing items, grouped by scenario, with their failing turns and tool calls marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from rehearsal.evaluate.aggregate import ScenarioStat
from rehearsal.evaluate.compare import DiffRow
from rehearsal.evaluate.criticality import severity_rank
from rehearsal.evaluate.reports.figures import count, headline_cards, percent, verdict_label
from rehearsal.evaluate.reports.model import RunReport
from rehearsal.evaluate.reports.svg import bar_chart
from rehearsal.evaluate.reports.views import DiffCalls, compare_tables, diff_views, scenario_groups
from rehearsal.evaluate.results import Verdict
from rehearsal.runtime.state import ConversationState

MAX_TRANSCRIPTS = 60
"""Failing items shown with their transcript; the rest are listed (the JSON report has them all)."""

OPEN_ITEMS_TABLE = 25
"""Up to this many items the table of every item is unfolded."""


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("rehearsal.evaluate.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["percent"] = percent
    environment.filters["count"] = count
    environment.filters["verdict"] = verdict_label
    return environment


def render_html(
    report: RunReport,
    *,
    transcripts: Mapping[str, ConversationState] | None = None,
    diffs: Mapping[str, Sequence[DiffRow]] | None = None,
    diff_calls: DiffCalls | None = None,
) -> str:
    """``transcripts`` by item id (failing ones are shown); ``diffs`` by item id for the compare view, with
    ``diff_calls`` (the tool calls of both transcripts) shown on the turns that made them."""
    groups, hidden = scenario_groups(report.items, transcripts or {}, limit=MAX_TRANSCRIPTS)
    comparison = report.comparison
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        cards=headline_cards(report.aggregate, report.items),
        scenario_chart=_scenario_chart(report),
        requirement_chart=_requirement_chart(report),
        steady_requirements=sorted(
            s.requirement_id for s in report.aggregate.by_requirement.values() if s.rate.rate == 1.0
        ),
        groups=groups,
        attention=sum(len(group.items) for group in groups) + hidden,
        hidden=hidden,
        tables=compare_tables(comparison) if comparison else None,
        diffs=diff_views(
            diffs or {}, comparison, {item.item_id: item.scenario_id for item in report.items}, diff_calls
        ),
        open_items_table=len(report.items) <= OPEN_ITEMS_TABLE,
    )


def _scenario_chart(report: RunReport) -> Markup:
    """Worst first, so what needs attention is at the top."""
    stats = sorted(
        report.aggregate.by_scenario.values(),
        key=lambda s: (s.rate.rate is not None, s.rate.rate or 0, s.scenario_id),
    )
    rows = [(s.scenario_id, s.rate.rate, _scenario_note(s)) for s in stats]
    return bar_chart(rows, title="Pass rate by scenario")


def _scenario_note(stat: ScenarioStat) -> str:
    """Passed of decided trials, and what kept the others from being decided."""
    undecided = [
        f"{stat.verdicts[verdict]} {verdict_label(verdict)}"
        for verdict in (Verdict.INCONCLUSIVE_SIMULATOR, Verdict.ERRORED)
        if stat.verdicts.get(verdict)
    ]
    return " · ".join(
        [f"{stat.rate.passed}/{stat.rate.total}", *(["flaky"] if stat.flaky else []), *undecided]
    )


def _requirement_chart(report: RunReport) -> Markup | None:
    """Only requirements that failed somewhere; those that always held are listed by name below the chart."""
    stats = sorted(
        (s for s in report.aggregate.by_requirement.values() if s.rate.total and s.rate.rate != 1.0),
        key=lambda s: (s.rate.rate or 0, severity_rank(s.criticality), s.requirement_id),
    )
    if not stats:
        return None
    rows = [
        (s.requirement_id, s.rate.rate, f"{s.rate.passed}/{s.rate.total} · {s.criticality.value}")
        for s in stats
    ]
    return bar_chart(rows, title="Pass rate by requirement")
