from __future__ import annotations

from pathlib import Path

import pytest

from rehearsal.evaluate.aggregate import RunAggregate, aggregate
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.gates import GatePolicy, evaluate_gates
from rehearsal.evaluate.results import ToolCallScore, Verdict
from rehearsal.simulate.specs.errors import SpecValidationError

from .builders import check, item


def _run(passes: int, fails: int, *, scenario: str = "a", critical_failure: bool = False) -> RunAggregate:
    results = [item(scenario, Verdict.PASS, trial=t) for t in range(passes)]
    checks = [check("verify", False, Criticality.CRITICAL)] if critical_failure else []
    results += [item(scenario, Verdict.FAIL, trial=passes + t, checks=checks) for t in range(fails)]
    return aggregate(results, k=1)


def test_a_run_meeting_every_threshold_passes():
    # Given
    policy = GatePolicy(min_pass_rate=0.9, max_critical_failures=0)

    # When
    decision = evaluate_gates(_run(10, 0), policy)

    # Then
    assert decision.passed
    assert any("pass rate 100.0% >= 90.0%" in reason for reason in decision.reasons)


def test_a_low_pass_rate_fails_with_the_observed_and_required_rates():
    decision = evaluate_gates(_run(7, 3), GatePolicy(min_pass_rate=0.9))
    assert not decision.passed
    assert decision.reasons == ["pass rate 70.0% < 90.0%"]


def test_any_critical_failure_fails_and_names_the_requirement():
    # Given a run whose pass rate is fine but one critical requirement failed
    run = _run(19, 1, critical_failure=True)

    # When
    decision = evaluate_gates(run, GatePolicy(min_pass_rate=0.9, max_critical_failures=0))

    # Then
    assert not decision.passed
    assert decision.reasons == ["critical failures 1 > 0 (verify)"]


def test_tool_accuracy_below_the_minimum_fails():
    run = aggregate([item(tool_score=ToolCallScore(expected=4, matched=2, actual=2, correct=2))], k=1)
    decision = evaluate_gates(run, GatePolicy(min_pass_rate=None, min_tool_accuracy=0.9))
    assert not decision.passed
    assert "tool-call accuracy" in decision.reasons[0]


def test_pass_hat_k_below_the_minimum_fails():
    # Given 4 trials of which 3 passed: pass^2 = 0.5
    run = aggregate([item("a", Verdict.PASS if t < 3 else Verdict.FAIL, trial=t) for t in range(4)], k=2)

    # When
    decision = evaluate_gates(run, GatePolicy(min_pass_rate=None, min_pass_hat_k={2: 0.8}))

    # Then
    assert not decision.passed
    assert decision.reasons == ["pass^2 50.0% < 80.0%"]


def test_a_gate_without_data_fails_rather_than_passing_silently():
    decision = evaluate_gates(aggregate([], k=1), GatePolicy(min_pass_rate=0.5))
    assert not decision.passed
    assert decision.reasons == ["pass rate: no data to judge"]


def test_errored_items_fail_the_default_policy():
    run = aggregate([item(), item("b", Verdict.ERRORED)], k=1)
    decision = evaluate_gates(run, GatePolicy(min_pass_rate=None))
    assert not decision.passed
    assert decision.reasons == ["errored items 1 > 0"]


def test_a_drop_beyond_the_tolerance_against_the_last_green_run_is_a_regression():
    # Given a baseline at 100 % and a candidate at 80 %, with a 5 % tolerance
    decision = evaluate_gates(_run(8, 2), GatePolicy(min_pass_rate=None), baseline=_run(10, 0))

    # Then
    assert not decision.passed
    assert any("beyond the 5% tolerance" in reason for reason in decision.reasons)


def test_a_scenario_fully_green_in_the_baseline_and_fully_red_now_is_a_regression():
    # Given scenario b went from 2/2 to 0/2 while the overall rate holds
    baseline = aggregate(
        [*(item("a", Verdict.FAIL, trial=t) for t in range(2)), item("b"), item("b", trial=1)], k=1
    )
    candidate = aggregate(
        [item("a"), item("a", trial=1), *(item("b", Verdict.FAIL, trial=t) for t in range(2))], k=1
    )

    # When
    decision = evaluate_gates(candidate, GatePolicy(min_pass_rate=None), baseline=baseline)

    # Then
    assert not decision.passed
    assert decision.reasons == ["scenarios green in the last green run now failing: b"]


def test_without_a_baseline_the_regression_gate_passes():
    decision = evaluate_gates(_run(10, 0), GatePolicy())
    assert decision.passed


def test_a_policy_file_loads_with_a_top_level_gates_key(tmp_path: Path):
    # Given
    path = tmp_path / "gates.yaml"
    path.write_text("gates:\n  min_pass_rate: 0.8\n  min_pass_hat_k: {2: 0.5}\n")

    # When
    policy = GatePolicy.load(path)

    # Then
    assert policy.min_pass_rate == 0.8 and policy.min_pass_hat_k == {2: 0.5}


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("min_pass_rate: 1.5\n", ":1: min_pass_rate:"),
        ("min_pass_rate: 0.5\nmax_critical: 0\n", ":2: max_critical:"),
        ("gates:\n  no_regression:\n    tolerance: -1\n", ":3: gates.no_regression.tolerance:"),
        ("min_pass_rate: [\n", ":2: not valid YAML"),
    ],
)
def test_a_bad_policy_names_the_file_line_and_field(tmp_path: Path, text: str, place: str):
    # Given
    path = tmp_path / "gates.yaml"
    path.write_text(text)

    # When / Then
    with pytest.raises(SpecValidationError) as error:
        GatePolicy.load(path)
    assert f"gates.yaml{place}" in str(error.value)


def _budgeted(latencies_ms: list[float], cost_usd: float) -> RunAggregate:
    results = [
        item(trial=t).model_copy(update={"agent_turn_latencies_ms": latencies_ms, "agent_cost_usd": cost_usd})
        for t in range(4)
    ]
    return aggregate(results, k=1)


@pytest.mark.parametrize(
    ("latencies_ms", "cost_usd", "passed", "reason"),
    [
        ([200.0, 400.0, 900.0], 0.004, True, "agent turn latency p95 (ms) 900 <= 1,000"),
        ([200.0, 400.0, 1500.0], 0.004, False, "agent turn latency p95 (ms) 1,500 > 1,000"),
        ([200.0], 0.02, False, "agent cost per conversation (USD) 0.0200 > 0.0100"),
    ],
)
def test_the_agent_s_latency_and_cost_budgets(
    latencies_ms: list[float], cost_usd: float, passed: bool, reason: str
) -> None:
    # Given budgets of 1 s per turn at p95 and a cent per conversation
    policy = GatePolicy(min_pass_rate=None, max_agent_turn_latency_p95_ms=1000, max_agent_cost_usd=0.01)
    # When
    decision = evaluate_gates(_budgeted(latencies_ms, cost_usd), policy)
    # Then
    assert decision.passed is passed
    assert reason in decision.reasons


def test_a_latency_budget_without_any_turn_fails() -> None:
    policy = GatePolicy(min_pass_rate=None, max_agent_turn_latency_p95_ms=1000)
    decision = evaluate_gates(_budgeted([], 0.0), policy)
    assert not decision.passed
    assert decision.reasons == ["agent turn latency p95 (ms): no data to judge"]
