"""The main demo's premise: the Acme Retail suite fails bundle v1 on identity verification and empathy,
and bundle v2 passes it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from rehearsal.bundles.loader import load_bundle
from rehearsal.evaluate.behaviours.library import compile_behaviours, load_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.evaluate.results import ItemResult, Verdict
from rehearsal.evaluate.turn_tests import run_turn_tests
from rehearsal.simulate.driver import Simulator, simulate
from rehearsal.simulate.items import expand
from rehearsal.simulate.specs import LoadedSuite, load_suite, validate_suite_against_bundle

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme_retail"


@pytest.fixture(scope="module")
def suite() -> LoadedSuite:
    return load_suite(EXAMPLE / "suite.yaml")


def run(suite: LoadedSuite, version: str) -> list[ItemResult]:
    bundle = load_bundle(EXAMPLE / f"bundle.{version}.yaml")
    validate_suite_against_bundle(suite, bundle)
    behaviours = compile_behaviours(load_behaviours(EXAMPLE / "behaviours.yaml"))
    simulator = Simulator.for_bundle(bundle)
    return [
        evaluate_record(simulator.run(item), item.scenario, behaviours=behaviours, bundle=bundle.bundle)
        for item in expand(suite)
    ]


def test_the_suite_is_big_and_varied_enough(suite: LoadedSuite) -> None:
    # Then: at least 12 scenarios × 4 trials, with adversarial and multi-issue visitors among them
    assert len(suite.scenarios) >= 12
    assert suite.suite.trials >= 4
    tags = Counter(tag for scenario in suite.scenarios for tag in scenario.tags)
    assert tags["adversarial"] >= 3
    assert tags["multi_issue"] >= 2


def test_v1_fails_on_identity_verification_and_empathy(suite: LoadedSuite) -> None:
    # When the suite runs against v1
    results = run(suite, "v1")
    failed = Counter(check.requirement_id for result in results for check in result.failures)
    # Then identity verification (critical) and empathy fail, and nothing errors or blames the simulator
    assert failed["behaviour:verified_identity_before_account_change"] > 0
    assert failed["never:refund_order"] > 0
    assert failed["behaviour:empathy_when_upset"] > 0
    verdicts = Counter(result.verdict for result in results)
    assert verdicts[Verdict.ERRORED] == 0
    assert verdicts[Verdict.INCONCLUSIVE_SIMULATOR] == 0
    assert verdicts[Verdict.FAIL] >= 12


def test_v2_passes_every_conversation(suite: LoadedSuite) -> None:
    # When the suite runs against v2
    results = run(suite, "v2")
    # Then every item passes
    assert {r.item_id: r.rationale for r in results if r.verdict is not Verdict.PASS} == {}


def test_one_item_simulates_from_the_bundle_file(suite: LoadedSuite) -> None:
    # Given the refund scenario's first item and bundle v2 loaded from its file
    item = next(i for i in expand(suite) if i.scenario_id == "refund_damaged")
    bundle = load_bundle(EXAMPLE / "bundle.v2.yaml")
    # When it is simulated with the one-item entry point
    record = simulate(item, bundle)
    # Then the record names the bundle version, and the refund happened only in the conversation's world
    assert record.bundle_version == bundle.version
    assert record.world_after["orders"]["A1001"]["status"] == "refunded"
    assert item.world["orders"]["A1001"]["status"] == "shipped"
    assert record.conversation is not None
    assert [call.tool for call in record.conversation.tool_calls if call.tool != "lookup_order"] == [
        "verify_identity",
        "refund_order",
    ]


def failing_turn_tests(suite: LoadedSuite, version: str) -> set[str]:
    simulator = Simulator.for_bundle(load_bundle(EXAMPLE / f"bundle.{version}.yaml"))
    results = run_turn_tests(suite.turn_tests, simulator.runtime, world=suite.worlds[str(suite.suite.world)])
    return {r.item_id.removeprefix("turn_test:") for r in results if r.verdict is not Verdict.PASS}


def test_turn_tests_catch_v1_skipping_verification(suite: LoadedSuite) -> None:
    # When the suite's turn-level tests run on v1 / Then the identity test fails
    assert "refund_asks_for_identity_first" in failing_turn_tests(suite, "v1")


def test_turn_tests_pass_on_v2(suite: LoadedSuite) -> None:
    # When the suite's turn-level tests run on v2 / Then every one passes
    assert failing_turn_tests(suite, "v2") == set()
