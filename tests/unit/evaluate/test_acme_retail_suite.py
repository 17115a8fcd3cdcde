"""The example suite, simulated against both example agents and evaluated: v1 is red for the reasons the demo
names (identity verification, empathy), v2 clears the gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearsal.bundles.loader import load_bundle
from rehearsal.evaluate.aggregate import RunAggregate, aggregate
from rehearsal.evaluate.behaviours import compile_behaviours, load_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.evaluate.gates import GatePolicy, evaluate_gates
from rehearsal.simulate.driver import Simulator
from rehearsal.simulate.items import expand
from rehearsal.simulate.specs.loading import load_suite

EXAMPLE = Path(__file__).parents[3] / "examples" / "acme_retail"


@pytest.fixture(scope="module")
def suite():
    return load_suite(EXAMPLE / "suite.yaml")


def _run(suite, version: str) -> RunAggregate:
    loaded = load_bundle(EXAMPLE / f"bundle.{version}.yaml")
    simulator = Simulator.for_bundle(loaded)
    behaviours = compile_behaviours(load_behaviours(suite.behaviours_path))
    results = [
        evaluate_record(simulator.run(item), item.scenario, behaviours=behaviours, bundle=loaded.bundle)
        for item in expand(suite)
    ]
    return aggregate(results, k=suite.suite.trials)


def test_v1_fails_its_gates_on_identity_verification_and_empathy(suite):
    # Given / When
    run = _run(suite, "v1")
    decision = evaluate_gates(run, GatePolicy.load(suite.gates_path))

    # Then
    assert not decision.passed
    reasons = " ".join(decision.reasons)
    assert "behaviour:verified_identity_before_account_change" in reasons
    assert "behaviour:empathy_when_upset" in reasons


def test_v2_passes_its_gates(suite):
    run = _run(suite, "v2")
    decision = evaluate_gates(run, GatePolicy.load(suite.gates_path))
    assert decision.passed, decision.reasons
