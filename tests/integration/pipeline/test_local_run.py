"""The local orchestrator over the real stages, runtime, visitors and evaluation on the example domain."""

from __future__ import annotations

import gc
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from rehearsal.bundles.loader import load_bundle
from rehearsal.llm import StubOpenAIServer, StubReply
from rehearsal.pipeline.archive import RunArchive
from rehearsal.pipeline.events import RunOptions
from rehearsal.pipeline.orchestrator import run_local
from rehearsal.pipeline.planning import PlannedRun, plan_run
from rehearsal.pipeline.stages import load_item_results
from rehearsal.settings import Settings
from rehearsal.simulate.driver import Simulator
from rehearsal.simulate.specs.errors import SpecValidationError
from rehearsal.simulate.specs.loading import load_suite
from rehearsal.storage.factory import build_stores

from ..conftest import BUNDLE_V1, BUNDLE_V2, SmallSuite


def _plan(settings: Settings, suite: Path, bundle: Path = BUNDLE_V2, **options: object) -> PlannedRun:
    stores = build_stores(settings)
    return plan_run(load_bundle(bundle), load_suite(suite), stores, options=RunOptions(**options))


def test_a_run_evaluates_every_item_and_gates_it(tmp_settings: Settings, small_suite: SmallSuite) -> None:
    # Given the fixed bundle and three scenarios × 2 trials plus the turn tests
    planned = _plan(tmp_settings, small_suite(turn_tests=True), trials=2)

    # When it runs
    outcome = run_local(planned.request, tmp_settings, workers=1)

    # Then every item has a result, and v2 clears the gates
    stores = build_stores(tmp_settings)
    results = load_item_results(planned.request.run_id, stores)
    assert len(results) == outcome.prepared.item_count == 6 + len(planned.snapshot.turn_tests)
    assert outcome.aggregate.passed == outcome.prepared.item_count
    assert outcome.gate.passed


def test_v1_fails_the_gates_on_identity_verification(tmp_settings: Settings, small_suite: SmallSuite) -> None:
    # Given the flawed bundle
    planned = _plan(tmp_settings, small_suite(), bundle=BUNDLE_V1, trials=1)

    # When it runs
    outcome = run_local(planned.request, tmp_settings, workers=1)

    # Then the gates fail, naming the verification requirement
    assert not outcome.gate.passed
    assert any("verif" in reason for reason in outcome.gate.reasons)


def test_a_green_run_becomes_the_baseline_of_the_next(
    tmp_settings: Settings, small_suite: SmallSuite
) -> None:
    # Given a first green run of v2
    suite = small_suite(trials=2)
    first = run_local(_plan(tmp_settings, suite, trials=2).request, tmp_settings, workers=1)
    assert first.gate.passed

    # When the same bundle runs the suite again
    second = run_local(_plan(tmp_settings, suite, trials=2).request, tmp_settings, workers=1)

    # Then it is gated against the first
    assert second.gate.baseline_run_id == first.prepared.run_id


def test_a_crashing_item_is_recorded_as_errored_and_the_run_completes(
    tmp_settings: Settings, small_suite: SmallSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a simulator that crashes on one scenario
    original = Simulator.run

    def crash_on_refunds(self: Simulator, item, **kwargs):  # type: ignore[no-untyped-def]
        if item.scenario_id == "refund_damaged":
            raise RuntimeError("visitor exploded")
        return original(self, item, **kwargs)

    monkeypatch.setattr(Simulator, "run", crash_on_refunds)
    planned = _plan(tmp_settings, small_suite(), trials=1)

    # When the run goes
    outcome = run_local(planned.request, tmp_settings, workers=1)

    # Then that item is errored with its traceback, the others are judged, and the run is complete
    results = {
        r.scenario_id: r for r in load_item_results(planned.request.run_id, build_stores(tmp_settings))
    }
    assert results["refund_damaged"].verdict == "errored"
    assert "visitor exploded" in (results["refund_damaged"].error or "")
    assert results["order_status"].verdict == "pass"
    assert outcome.aggregate.errored == 1
    assert not outcome.gate.passed  # max_errored: 0


def test_an_interrupted_run_resumes_with_nothing_lost_or_done_twice(
    tmp_settings: Settings, small_suite: SmallSuite
) -> None:
    # Given a run interrupted (Ctrl-C) after three items
    planned = _plan(tmp_settings, small_suite(), trials=2)

    def interrupt(done: int, total: int, verdict: str) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_local(planned.request, tmp_settings, workers=1, progress=interrupt)
    stores = build_stores(tmp_settings)
    archive = RunArchive(stores)
    first_results = {
        item_id: archive.read(archive.result_key(planned.request.run_id, item_id))
        for item_id, state in archive.item_states(planned.request.run_id).items()
        if state.status == "evaluated"
    }
    assert len(first_results) == 3

    # When the same run is started again
    seen: list[int] = []
    outcome = run_local(planned.request, tmp_settings, workers=1, progress=lambda d, t, v: seen.append(d))

    # Then only the missing items ran, the earlier results are untouched, and the run is whole
    assert outcome.resumed_items == 3
    assert seen == [4, 5, 6]
    for item_id, body in first_results.items():
        assert archive.read(archive.result_key(planned.request.run_id, item_id)) == body
    manifest = json.loads(archive.read(outcome.prepared.manifest_key))
    assert len(load_item_results(planned.request.run_id, stores)) == len(manifest) == 6


def test_worker_processes_give_the_same_verdicts_as_one_process(
    tmp_path: Path, small_suite: SmallSuite
) -> None:
    # Given the same suite and seeds in two homes
    suite = small_suite(trials=2)
    verdicts = []
    for workers in (1, 2):
        settings = Settings(home=tmp_path / f"home-{workers}")
        planned = _plan(settings, suite, trials=2)

        # When one runs in-process and the other on two worker processes
        outcome = run_local(planned.request, settings, workers=workers)
        verdicts.append(outcome.verdicts)

    # Then the verdicts are the same item for item
    assert verdicts[0] == verdicts[1]


def test_a_suite_naming_an_unknown_tool_is_rejected_before_the_run(
    tmp_settings: Settings, small_suite: SmallSuite, tmp_path: Path
) -> None:
    # Given a scenario that requires a tool the bundle does not have
    scenario = tmp_path / "bad.yaml"
    original = (
        Path(__file__).resolve().parents[3] / "examples/acme_retail/scenarios/order_status.yaml"
    ).read_text()
    scenario.write_text(original.replace("lookup_order", "teleport_order"))
    suite = small_suite()
    text = suite.read_text().replace(
        str(Path(__file__).resolve().parents[3] / "examples/acme_retail/scenarios/order_status.yaml"),
        str(scenario),
    )
    suite.write_text(text)

    # When the run is planned, Then it fails naming the tool and the file
    with pytest.raises(SpecValidationError) as error:
        _plan(tmp_settings, suite)
    assert "teleport_order" in str(error.value)
    assert "bad.yaml" in str(error.value)
    assert RunArchive(build_stores(tmp_settings)).list_runs("acme-retail") == []


def test_llm_visitors_run_bounded_and_ramped_against_a_model_endpoint(
    tmp_settings: Settings, small_suite: SmallSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a model endpoint whose visitors say what they want, then stop
    def visitor(request: dict[str, Any]) -> StubReply:
        spoken = sum(message["role"] == "assistant" for message in request["messages"])
        return StubReply.say("Where is my order A1001?" if spoken == 0 else "Thanks. ###STOP:goal_met###")

    thresholds = gc.get_threshold()
    with StubOpenAIServer(responder=visitor, latency_s=0.02) as server:
        monkeypatch.setenv("REHEARSAL_LLM_BASE_URL", server.base_url)
        planned = _plan(
            tmp_settings,
            small_suite(trials=2),
            trials=2,
            visitor_engine="llm",
            max_concurrency=2,
            ramp_up_s=0.2,
        )
        # When the run goes
        outcome = run_local(planned.request, tmp_settings)
        requests = server.requests
        in_flight = server.max_in_flight

    # Then every conversation was held by a visitor from the endpoint, two at a time, starting at least
    # 100 ms apart (2 over 0.2 s), with the headers of the SDK's client
    results = load_item_results(planned.request.run_id, build_stores(tmp_settings))
    assert len(results) == outcome.prepared.item_count == 6
    assert all(result.verdict != "errored" for result in results)
    assert in_flight <= 2
    openings = [r.received_at for r in requests if all(m["role"] != "assistant" for m in r.body["messages"])]
    assert len(openings) == 6
    later = openings[1:]  # the first call of a model also builds its client
    assert min(after - before for before, after in pairwise(later)) >= 0.09
    assert {request.authorization for request in requests} == {"Bearer not-needed"}
    assert all("tools" not in request.body for request in requests)
    # and the collector's settings are the interpreter's again
    assert gc.get_threshold() == thresholds
