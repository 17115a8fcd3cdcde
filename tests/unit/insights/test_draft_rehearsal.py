"""The end of the insights path: the drafted bundle rehearsed against the suite drawn from its transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from flows.refund_corpus import refund_corpus

from rehearsal.bundles.loader import load_bundle
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.insights.draft import draft_bundle, write_draft
from rehearsal.insights.flows import discover_flows
from rehearsal.insights.personas import build_suite, write_suite
from rehearsal.simulate.driver import simulate
from rehearsal.simulate.items import expand
from rehearsal.simulate.specs.loading import load_suite


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Scenario id → ids of the requirements the drafted agent failed."""
    out: Path = tmp_path_factory.mktemp("rehearsal")
    corpus = refund_corpus()
    discovery = discover_flows(corpus, group_by="task")
    write_draft(draft_bundle(discovery, corpus, group_by="task"), out)
    suite = build_suite(corpus, discovery, group_by="task", per_group=20, prefer_held_out=False)
    write_suite(suite, out)
    bundle, suite = load_bundle(out / "bundle.yaml"), load_suite(out / "suite.yaml")
    failed = {}
    for item in expand(suite):
        record = simulate(item, bundle)
        assert record.error is None, record.error
        result = evaluate_record(record, item.scenario, bundle=bundle.bundle)
        failed[item.scenario.id] = [check.requirement_id for check in result.checks if not check.passed]
    return failed


def test_the_draft_does_what_the_human_agents_did_in_resolved_conversations(
    results: dict[str, list[str]],
) -> None:
    # Given the scenarios of conversations the human agents resolved (refunds, declines and denials)
    resolved = {f"s-c{i}" for i in range(15)}
    # Then the drafted agent meets every expectation in them: the same calls, with the same operations
    assert {scenario: results[scenario] for scenario in resolved} == {scenario: [] for scenario in resolved}


def test_the_rehearsal_shows_what_the_draft_still_lacks(results: dict[str, list[str]]) -> None:
    # Given the scenarios where the human agent handed an angry customer over after a denial
    escalated = {"s-c15", "s-c16", "s-c17"}
    # Then the draft, which ends after the denial, fails exactly the expected end reason
    assert {scenario: results[scenario] for scenario in escalated} == {s: ["end_reason"] for s in escalated}
