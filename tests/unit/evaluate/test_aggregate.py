from __future__ import annotations

import pytest

from rehearsal.evaluate.aggregate import Distribution, aggregate
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import CheckKind, CheckResult, ToolCallScore, Verdict

from .builders import check, item


def test_pass_rate_counts_only_decided_items():
    # Given 3 passes, 1 fail, 1 inconclusive and 1 errored item
    results = [
        item("a", Verdict.PASS, trial=0),
        item("a", Verdict.PASS, trial=1),
        item("b", Verdict.PASS),
        item("b", Verdict.FAIL, trial=1),
        item("c", Verdict.INCONCLUSIVE_SIMULATOR),
        item("c", Verdict.ERRORED, trial=1),
    ]

    # When
    run = aggregate(results, k=1)

    # Then
    assert (run.pass_rate.passed, run.pass_rate.total) == (3, 4)
    assert run.pass_rate.low < 0.75 < run.pass_rate.high
    assert run.count(Verdict.ERRORED) == 1
    assert run.count(Verdict.INCONCLUSIVE_SIMULATOR) == 1


def test_pass_hat_k_is_computed_per_scenario_for_every_k_up_to_the_requested_one():
    # Given scenario a: 4/4 trials pass; scenario b: 2/4 pass
    results = [item("a", Verdict.PASS, trial=t) for t in range(4)]
    results += [item("b", Verdict.PASS if t < 2 else Verdict.FAIL, trial=t) for t in range(4)]

    # When
    run = aggregate(results, k=2)

    # Then
    assert run.pass_hat_k[1] == pytest.approx(0.75)
    assert run.pass_hat_k[2] == pytest.approx((1 + 1 / 6) / 2)
    assert run.by_scenario["b"].flaky and not run.by_scenario["a"].flaky


def test_requirement_and_criticality_rates_skip_not_applicable_checks():
    # Given a critical requirement failing once, passing once, and one behaviour never triggered
    never = CheckResult.not_applicable(
        "behaviour:empathy", CheckKind.BEHAVIOUR, Criticality.MAJOR, "no trigger"
    )
    results = [
        item("a", Verdict.FAIL, checks=[check("verify", False, Criticality.CRITICAL), never]),
        item("a", Verdict.PASS, trial=1, checks=[check("verify", True, Criticality.CRITICAL)]),
    ]

    # When
    run = aggregate(results, k=1)

    # Then
    assert run.by_requirement["verify"].rate.rate == 0.5
    assert run.by_requirement["behaviour:empathy"].rate.total == 0
    assert run.by_requirement["behaviour:empathy"].not_applicable == 1
    assert run.by_criticality[Criticality.CRITICAL].total == 2
    assert run.critical_failures == 1


def test_tool_accuracy_is_the_f1_of_summed_precision_and_recall():
    # Given 4 expected calls of which 3 matched, and 6 calls made of which 3 were right
    results = [
        item("a", tool_score=ToolCallScore(expected=2, matched=2, actual=2, correct=2)),
        item("b", Verdict.FAIL, tool_score=ToolCallScore(expected=2, matched=1, actual=4, correct=1)),
    ]

    # When
    accuracy = aggregate(results, k=1).tool_accuracy

    # Then
    assert accuracy.recall == 0.75
    assert accuracy.precision == 0.5
    assert accuracy.accuracy == pytest.approx(0.6)


def test_distribution_percentiles_interpolate_like_numpy():
    # Given / When
    stats = Distribution.of([1.0, 2.0, 3.0, 4.0, 10.0])

    # Then
    assert (stats.p50, stats.p95, stats.max, stats.mean) == pytest.approx((3.0, 8.8, 10.0, 4.0))


def test_aggregate_rejects_k_below_one():
    with pytest.raises(ValueError, match="k must be"):
        aggregate([], k=0)


def test_an_aggregate_survives_a_round_trip_through_json():
    # Given an aggregate as the aggregate stage stores it
    run = aggregate([item("a"), item("a", Verdict.FAIL, trial=1)], k=2)

    # When
    loaded = type(run).model_validate_json(run.model_dump_json())

    # Then
    assert loaded == run and loaded.pass_hat_k == {1: 0.5, 2: 0.0}
