"""Evaluate items again after alignment answers, then re-aggregate and re-gate their runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rehearsal.evaluate.alignment import Question, affected_items
from rehearsal.pipeline.events import AggregateRequest, EvaluateRequest, GateRequest
from rehearsal.pipeline.stages import aggregate_run, evaluate_item, gate_run, load_item_results
from rehearsal.storage.factory import Stores


def reevaluate_answered(
    answered: Iterable[Question], stores: Stores
) -> dict[str, dict[str, tuple[str, str]]]:
    """run id → item id → (verdict before, after) for each item whose verdict rested on an answer."""
    by_run: dict[str, set[str]] = defaultdict(set)
    for question in answered:
        if question.run_id:
            by_run[question.run_id].add(question.fingerprint)
    changes: dict[str, dict[str, tuple[str, str]]] = {}
    for run_id, fingerprints in by_run.items():
        results = load_item_results(run_id, stores)
        before = {item.item_id: item.verdict.value for item in results}
        for item_id in affected_items(results, fingerprints):
            after = evaluate_item(EvaluateRequest(run_id=run_id, item_id=item_id), stores).verdict
            changes.setdefault(run_id, {})[item_id] = (before[item_id], after)
        aggregate_run(AggregateRequest(run_id=run_id), stores)
        gate_run(GateRequest(run_id=run_id), stores)
    return changes
