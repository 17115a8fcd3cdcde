"""The self-contained HTML report: headline figures, charts by scenario and by requirement, the gates, the
comparison with the last green run, and the transcripts of failing items with their failing turns marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from rehearsal.evaluate.compare import DiffRow
from rehearsal.evaluate.reports.model import RunReport, headline
from rehearsal.evaluate.reports.svg import bar_chart, rate_colour
from rehearsal.evaluate.results import CheckResult, ItemResult, Verdict
from rehearsal.runtime.state import ConversationState

MAX_TRANSCRIPTS = 60
"""Failing items shown with their transcript; the rest are listed (the JSON report has them all)."""


@dataclass(frozen=True)
class TurnView:
    index: int
    role: str
    text: str
    failing: list[CheckResult]
    passing: list[CheckResult]

    @property
    def highlight(self) -> str:
        """The agent's failing turns are marked red; a customer turn a failure cites is context for it."""
        if not self.failing:
            return ""
        return "failing" if self.role == "agent" else "cited"


@dataclass(frozen=True)
class ItemView:
    item: ItemResult
    turns: list[TurnView]
    unplaced: list[CheckResult]  # failures whose evidence has no turn (end state, missing calls)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("rehearsal.evaluate.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(
    report: RunReport,
    *,
    transcripts: Mapping[str, ConversationState] | None = None,
    diffs: Mapping[str, Sequence[DiffRow]] | None = None,
) -> str:
    """``transcripts`` by item id (failing ones are shown); ``diffs`` by item id for the compare view."""
    transcripts = transcripts or {}
    shown = [item for item in report.items if item.verdict is not Verdict.PASS][:MAX_TRANSCRIPTS]
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        summary=headline(report.aggregate),
        scenario_chart=_scenario_chart(report),
        requirement_chart=_requirement_chart(report),
        items=[_item_view(item, transcripts.get(item.item_id)) for item in shown],
        hidden=max(0, sum(1 for i in report.items if i.verdict is not Verdict.PASS) - len(shown)),
        diffs=dict(diffs or {}),
        rate_colour=rate_colour,
    )


def _scenario_chart(report: RunReport) -> Markup:
    rows = [
        (s.scenario_id, s.rate.rate, f"{s.rate.passed}/{s.rate.total}" + (" flaky" if s.flaky else ""))
        for s in report.aggregate.by_scenario.values()
    ]
    return bar_chart(rows, title="Pass rate by scenario")


def _requirement_chart(report: RunReport) -> Markup:
    stats = sorted(
        report.aggregate.by_requirement.values(), key=lambda s: (s.rate.rate is None, s.rate.rate or 0)
    )
    rows = [
        (s.requirement_id, s.rate.rate, f"{s.rate.passed}/{s.rate.total} {s.criticality.value}")
        for s in stats
        if s.rate.total
    ]
    return bar_chart(rows, title="Pass rate by requirement")


def _item_view(item: ItemResult, conversation: ConversationState | None) -> ItemView:
    failing: dict[int, list[CheckResult]] = {}
    passing: dict[int, list[CheckResult]] = {}
    unplaced: list[CheckResult] = []
    for check in item.checks:
        if not check.applicable:
            continue
        turns = {e.turn for e in check.evidence if e.turn is not None}
        if check.failed and not turns:
            unplaced.append(check)
        for turn in turns:
            (failing if check.failed else passing).setdefault(turn, []).append(check)
    turns_view = [
        TurnView(t.index, t.role, t.text, failing.get(t.index, []), passing.get(t.index, []))
        for t in (conversation.turns if conversation else [])
    ]
    return ItemView(item=item, turns=turns_view, unplaced=unplaced)
