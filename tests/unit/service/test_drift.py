"""Drift checks: plan reruns of live bundles, compare a rerun with the last green run, record regressions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rehearsal.bundles.loader import load_bundle
from rehearsal.bundles.store import BundleStore
from rehearsal.evaluate.gates import GatePolicy
from rehearsal.pipeline.archive import RunArchive
from rehearsal.pipeline.events import RunOptions
from rehearsal.pipeline.orchestrator import run_local
from rehearsal.pipeline.planning import plan_run
from rehearsal.service.drift import (
    DriftCheckRequest,
    DriftCompareRequest,
    WatchedAgent,
    compare_with_last_green,
    drift_history,
    plan_drift_checks,
    record_drift,
    watch_agent,
)
from rehearsal.settings import Settings
from rehearsal.simulate.specs.loading import load_suite
from rehearsal.storage.factory import Stores, build_stores

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme_retail"
CHECKED_AT = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(backend="local", home=tmp_path / "home")


@pytest.fixture
def stores(settings: Settings) -> Stores:
    return build_stores(settings)


def _run(settings: Settings, stores: Stores, version: str = "v2", run_id: str | None = None) -> str:
    """A finished run of two example scenarios on ``version`` (gated; a green one becomes the baseline)."""
    suite = load_suite(EXAMPLE / "suite.yaml")
    chosen = [scenario for scenario in suite.scenarios if scenario.id in {"order_status", "refund_damaged"}]
    suite = dataclasses.replace(suite, scenarios=chosen, turn_tests=[])
    options = RunOptions(trials=2, tool_search_paths=[str(EXAMPLE)])
    bundle = load_bundle(EXAMPLE / f"bundle.{version}.yaml")
    # Default gates (pass rate, criticals, errors, no regression) rather than the example's full policy.
    planned = plan_run(bundle, suite, stores, options=options, run_id=run_id, gates=GatePolicy())
    run_local(planned.request, settings, workers=1)
    return planned.request.run_id


def _watch(stores: Stores, run_id: str) -> WatchedAgent:
    archive = RunArchive(stores)
    record = archive.get_run(run_id)
    agent = WatchedAgent(
        bundle_name=record.bundle_name,
        suite_name=record.suite_name,
        suite_key=archive.suite_key(run_id),
        options=record.options,
    )
    return watch_agent(agent, stores)


def test_plan_reruns_the_live_version_of_each_watched_agent(settings: Settings, stores: Stores) -> None:
    # Given a watched agent whose v2 is live
    first = _run(settings, stores)
    agent = _watch(stores, first)
    store = BundleStore(stores.blobs, stores.runs)
    live = store.push(load_bundle(EXAMPLE / "bundle.v2.yaml")).version
    store.promote(agent.bundle_name, live)

    # When planning the check
    plan = plan_drift_checks(DriftCheckRequest(checked_at=CHECKED_AT), stores)

    # Then one rerun of the live version on the regression suite, named after the check, never promoting
    [check] = plan.checks
    assert check.run_request.bundle_version == live
    assert check.run_request.suite_key == agent.suite_key
    assert check.run_request.run_id == "drift-acme-retail-20261126T060000Z"
    assert check.run_request.options.promote_on_pass is False


def test_agent_without_a_live_version_is_skipped(settings: Settings, stores: Stores) -> None:
    _watch(stores, _run(settings, stores))

    plan = plan_drift_checks(DriftCheckRequest(checked_at=CHECKED_AT), stores)

    assert plan.checks == [] and plan.skipped == ["acme-retail"]


def test_rerun_as_good_as_the_last_green_run_has_not_regressed(settings: Settings, stores: Stores) -> None:
    # Given a green baseline and a rerun of the same version
    baseline = _run(settings, stores)
    rerun = _run(settings, stores, run_id="drift-acme-retail-1")

    # When comparing
    finding = compare_with_last_green(DriftCompareRequest(agent="acme-retail", run_id=rerun), stores)

    # Then
    assert RunArchive(stores).get_run(baseline).gate.passed  # type: ignore[union-attr]
    assert finding.regressed is False, finding.reasons
    assert finding.baseline_run_id == baseline


def test_rerun_that_fails_its_gates_has_regressed_with_the_gates_reasons(
    settings: Settings, stores: Stores
) -> None:
    # Given a green v2 baseline, then a rerun on v1 (which fails identity verification and empathy)
    _run(settings, stores, "v2")
    rerun = _run(settings, stores, "v1", run_id="drift-acme-retail-2")

    # When comparing
    finding = compare_with_last_green(DriftCompareRequest(agent="acme-retail", run_id=rerun), stores)

    # Then
    assert finding.regressed is True
    assert finding.reasons


def test_rerun_that_never_started_has_regressed(stores: Stores) -> None:
    finding = compare_with_last_green(
        DriftCompareRequest(agent="acme-retail", run_id="drift-missing"), stores
    )

    assert finding.regressed is True and finding.reasons == ["the rerun did not start"]


def test_lower_pass_rate_than_the_baseline_is_a_regression_even_when_gates_pass(
    settings: Settings, stores: Stores
) -> None:
    # Given a baseline recorded with a higher pass rate than the rerun's
    baseline = _run(settings, stores)
    rerun = _run(settings, stores, run_id="drift-acme-retail-3")
    archive = RunArchive(stores)
    archive.update_run(
        baseline, lambda run: run.model_copy(update={"summary": {**run.summary, "pass_rate": 1.5}})
    )

    # When comparing
    finding = compare_with_last_green(DriftCompareRequest(agent="acme-retail", run_id=rerun), stores)

    # Then
    assert finding.regressed is True
    assert "below the last green run" in finding.reasons[-1]


def test_recorded_drift_is_kept_in_the_agents_history(stores: Stores) -> None:
    finding = compare_with_last_green(
        DriftCompareRequest(agent="acme-retail", run_id="drift-missing"), stores
    )

    recorded = record_drift(finding, stores)

    assert recorded.recorded is True
    assert [entry.run_id for entry in drift_history("acme-retail", stores)] == ["drift-missing"]
