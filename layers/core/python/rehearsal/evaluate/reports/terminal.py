"""The terminal summary: what is red and why, in a few rich tables."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rehearsal.evaluate.compare import Change, RunComparison
from rehearsal.evaluate.reports.model import RunReport
from rehearsal.evaluate.results import ItemResult, Verdict

MAX_FAILURE_ROWS = 12


def print_summary(report: RunReport, console: Console | None = None) -> None:
    (console or Console()).print(summary(report))


def summary(report: RunReport) -> RenderableType:
    parts: list[RenderableType] = [_headline(report), _scenarios(report)]
    failing = _failing_requirements(report)
    if failing is not None:
        parts.append(failing)
    if report.comparison is not None:
        parts.append(_comparison(report.comparison))
    if report.gate is not None:
        parts.append(_gate(report))
    return Group(*parts)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _headline(report: RunReport) -> Table:
    agg = report.aggregate
    table = Table(
        title=f"{report.bundle_name} {report.short_version} · {report.suite_name} · run {report.run_id}"
    )
    for column in (
        "items",
        "pass",
        "fail",
        "inconclusive",
        "errored",
        "pass rate (95% CI)",
        "pass^k",
        "criticals",
    ):
        table.add_column(column, justify="right")
    table.add_column("tool F1", justify="right")
    table.add_column("cost", justify="right")
    rate = agg.pass_rate
    hat = " ".join(f"^{k} {percent(v)}" for k, v in sorted(agg.pass_hat_k.items()) if k > 1) or "—"
    table.add_row(
        str(agg.items),
        Text(str(agg.count(Verdict.PASS)), style="green"),
        Text(str(agg.count(Verdict.FAIL)), style="red" if agg.count(Verdict.FAIL) else ""),
        str(agg.count(Verdict.INCONCLUSIVE_SIMULATOR)),
        Text(str(agg.count(Verdict.ERRORED)), style="red" if agg.count(Verdict.ERRORED) else ""),
        f"{percent(rate.rate)} ({percent(rate.low)}–{percent(rate.high)})",
        hat,
        Text(str(agg.critical_failures), style="bold red" if agg.critical_failures else "green"),
        percent(agg.tool_accuracy.accuracy),
        f"${agg.cost_usd.total:.4f}",
    )
    return table


def _scenarios(report: RunReport) -> Table:
    table = Table(title="Scenarios")
    table.add_column("scenario")
    table.add_column("passed", justify="right")
    table.add_column("rate", justify="right")
    table.add_column("other")
    for stat in report.aggregate.by_scenario.values():
        rate = stat.rate.rate
        style = "green" if rate == 1 else ("red" if rate == 0 else "yellow")
        other = ", ".join(
            f"{count} {verdict.value}"
            for verdict, count in stat.verdicts.items()
            if verdict not in (Verdict.PASS, Verdict.FAIL)
        )
        table.add_row(
            stat.scenario_id,
            f"{stat.rate.passed}/{stat.rate.total}",
            Text(percent(rate), style=style),
            ("flaky " if stat.flaky else "") + other,
        )
    return table


def _failing_requirements(report: RunReport) -> Table | None:
    failing = [
        stat
        for stat in report.aggregate.by_requirement.values()
        if stat.rate.total and stat.rate.passed < stat.rate.total
    ]
    if not failing:
        return None
    table = Table(title="What is red, and why")
    table.add_column("requirement")
    table.add_column("criticality")
    table.add_column("met", justify="right")
    table.add_column("example (item · evidence)")
    failing.sort(
        key=lambda stat: (stat.criticality != "critical", stat.criticality != "major", stat.rate.rate or 0)
    )
    for stat in failing[:MAX_FAILURE_ROWS]:
        table.add_row(
            stat.requirement_id,
            Text(stat.criticality.value, style="bold red" if stat.criticality == "critical" else ""),
            f"{stat.rate.passed}/{stat.rate.total}",
            _example(report.items, stat.requirement_id),
        )
    return table


def _example(items: list[ItemResult], requirement_id: str) -> str:
    for item in items:
        if item.verdict is not Verdict.FAIL:
            continue
        for check in item.checks:
            if check.requirement_id == requirement_id and check.failed:
                quote = next((e.quote for e in reversed(check.evidence) if e.quote), "")  # the agent's words
                return f"{item.item_id} · {check.rationale}" + (f' · "{_clip(quote)}"' if quote else "")
    return ""


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _comparison(comparison: RunComparison) -> Table:
    rates = f"{percent(comparison.pass_rate_before)} → {percent(comparison.pass_rate_after)}"
    table = Table(title=f"Compared with {comparison.baseline} (pass rate {rates})")
    table.add_column("scenario")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    table.add_column("change")
    styles = {Change.IMPROVED: "green", Change.REGRESSED: "bold red"}
    for change in comparison.scenarios:
        if change.change is Change.UNCHANGED and not change.flaky:
            continue
        label = change.change.value + (" · flaky" if change.flaky else "")
        table.add_row(
            change.scenario_id,
            percent(change.before),
            percent(change.after),
            Text(label, style=styles.get(change.change, "")),
        )
    return table


def _gate(report: RunReport) -> Panel:
    assert report.gate is not None
    lines = Text()
    for outcome in report.gate.outcomes:
        lines.append("✔ " if outcome.passed else "✘ ", style="green" if outcome.passed else "bold red")
        lines.append(outcome.message + "\n")
    verdict = "GATES PASSED" if report.gate.passed else "GATES FAILED"
    return Panel(lines, title=verdict, border_style="green" if report.gate.passed else "red")
