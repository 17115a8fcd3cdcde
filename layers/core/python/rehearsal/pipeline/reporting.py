"""Build a run's report from the archive (aggregate, items, gate, comparison) and write its artefacts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rehearsal.evaluate.compare import DiffRow, RunComparison, compare_runs, transcript_diff
from rehearsal.evaluate.gates import GateDecision
from rehearsal.evaluate.reports import RunReport, render_html, render_json, render_junit
from rehearsal.evaluate.results import ItemResult, Verdict
from rehearsal.pipeline.archive import RunArchive
from rehearsal.pipeline.stages import load_aggregate, load_item_results
from rehearsal.runtime.state import ConversationState
from rehearsal.simulate.records import SimulationRecord
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import NotFound

AUTO = "auto"
"""Compare with the run's gate baseline (the bundle's last green run before it), if it had one."""


def compare_archived(baseline_run_id: str, candidate_run_id: str, stores: Stores) -> RunComparison:
    return compare_runs(
        load_item_results(baseline_run_id, stores),
        load_item_results(candidate_run_id, stores),
        baseline_label=baseline_run_id,
        candidate_label=candidate_run_id,
    )


def build_report(run_id: str, stores: Stores, *, compare_with: str | None = AUTO) -> RunReport:
    archive = RunArchive(stores)
    record = archive.get_run(run_id)
    gate = _gate_decision(archive, run_id)
    baseline = record.gate.baseline_run_id if compare_with == AUTO and record.gate else compare_with
    baseline = None if baseline == AUTO else baseline
    return RunReport(
        run_id=run_id,
        bundle_name=record.bundle_name,
        bundle_version=record.bundle_version,
        suite_name=record.suite_name,
        suite_hash=record.suite_hash,
        created_at=record.created_at,
        aggregate=load_aggregate(run_id, stores),
        items=load_item_results(run_id, stores),
        gate=gate,
        baseline_run_id=baseline,
        comparison=compare_archived(baseline, run_id, stores) if baseline else None,
    )


def _gate_decision(archive: RunArchive, run_id: str) -> GateDecision | None:
    try:
        return GateDecision.model_validate_json(archive.read(archive.artefact_key(run_id, "gate.json")))
    except NotFound:
        return None


def load_conversation(run_id: str, item_id: str, stores: Stores) -> ConversationState | None:
    archive = RunArchive(stores)
    try:
        record = SimulationRecord.model_validate_json(archive.read(archive.simulation_key(run_id, item_id)))
    except NotFound:
        return None
    return record.conversation


def _not_passing(items: Iterable[ItemResult]) -> list[str]:
    return [item.item_id for item in items if item.verdict is not Verdict.PASS]


def _compared_conversations(
    report: RunReport, stores: Stores
) -> dict[str, tuple[ConversationState | None, ConversationState | None]]:
    """Baseline and this run's transcript of the first trial of each scenario that changed, read once."""
    if report.comparison is None or report.baseline_run_id is None:
        return {}
    changed = {change.scenario_id for change in report.comparison.scenarios if change.change != "unchanged"}
    return {
        item.item_id: (
            load_conversation(report.baseline_run_id, item.item_id, stores),
            load_conversation(report.run_id, item.item_id, stores),
        )
        for item in report.items
        if item.scenario_id in changed and item.trial == 0 and item.variation == 0
    }


def item_diffs(report: RunReport, stores: Stores) -> dict[str, list[DiffRow]]:
    """Side-by-side transcripts, baseline vs this run, for the items of scenarios that changed."""
    return {
        item_id: transcript_diff(before, after)
        for item_id, (before, after) in _compared_conversations(report, stores).items()
    }


def render_report_html(report: RunReport, stores: Stores) -> str:
    transcripts = {
        item_id: conversation
        for item_id in _not_passing(report.items)
        if (conversation := load_conversation(report.run_id, item_id, stores)) is not None
    }
    compared = _compared_conversations(report, stores)
    diffs = {item_id: transcript_diff(before, after) for item_id, (before, after) in compared.items()}
    # The tool calls of both transcripts, shown on their turns in the compare view.
    calls = {
        item_id: (before.tool_calls if before else [], after.tool_calls if after else [])
        for item_id, (before, after) in compared.items()
    }
    return render_html(report, transcripts=transcripts, diffs=diffs, diff_calls=calls)


@dataclass(frozen=True)
class ReportArtefact:
    text: str
    place: str  # where a person finds the archived copy


def write_report_artefacts(report: RunReport, stores: Stores) -> dict[str, ReportArtefact]:
    """HTML, JSON and JUnit rendered once and archived next to the run, by file name."""
    archive = RunArchive(stores)
    rendered = {
        "report.html": (render_report_html(report, stores), "text/html"),
        "report.json": (render_json(report), "application/json"),
        "junit.xml": (render_junit(report), "application/xml"),
    }
    artefacts = {}
    for name, (text, content_type) in rendered.items():
        key = archive.artefact_key(report.run_id, name)
        archive.blobs.put(key, text.encode(), content_type=content_type)
        artefacts[name] = ReportArtefact(text=text, place=archive.blobs.url(key))
    return artefacts
