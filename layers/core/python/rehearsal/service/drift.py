"""Scheduled drift checks: rerun each watched agent's live bundle against its regression suite, compare the
rerun with the agent's last green run, and keep a record of every regression.

Watched agents are documents ``("watch", <bundle name>)`` in the run store. The state machine
``drift_check`` calls :func:`plan_drift_checks`, reruns each planned run through ``rehearsal_run``, then
:func:`compare_with_last_green` and, when regressed, :func:`record_drift`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.bundles.store import BundleStore
from rehearsal.pipeline.archive import RunArchive, RunRecord, RunStatus
from rehearsal.pipeline.events import PrepareRequest, RunOptions
from rehearsal.pipeline.snapshot import SuiteSnapshot
from rehearsal.runtime.state import utcnow
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import NotFound

WATCH_PARTITION = "watch"
BundleName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,55}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WatchedAgent(_Model):
    bundle_name: BundleName
    suite_name: str = Field(description="The regression suite's name (last green runs are kept per suite).")
    suite_key: str = Field(description="Blob key of the regression suite snapshot (JSON).")
    gates_key: str | None = Field(None, description="Blob key of the gate policy (JSON), if any.")
    options: RunOptions = Field(default_factory=RunOptions)


class DriftCheckRequest(_Model):
    checked_at: AwareDatetime = Field(description="When the check started; names the reruns.")


class PlannedCheck(_Model):
    agent: BundleName
    run_request: PrepareRequest


class DriftPlan(_Model):
    checks: list[PlannedCheck]
    skipped: list[str] = Field(default_factory=list, description="Watched agents without a live version.")


class DriftCompareRequest(_Model):
    agent: BundleName
    run_id: str


class DriftFinding(_Model):
    agent: BundleName
    run_id: str
    bundle_version: str | None = None
    baseline_run_id: str | None = None
    regressed: bool
    reasons: list[str] = Field(default_factory=list)
    pass_rate: float | None = None
    baseline_pass_rate: float | None = None
    checked_at: datetime = Field(default_factory=utcnow)


class DriftRecorded(_Model):
    agent: BundleName
    run_id: str
    recorded: bool


def watch_agent(agent: WatchedAgent, stores: Stores) -> WatchedAgent:
    stores.runs.put(WATCH_PARTITION, agent.bundle_name, agent.model_dump(mode="json"))
    return agent


def watch_with_suite(
    bundle_name: str, suite: SuiteSnapshot, stores: Stores, *, options: RunOptions | None = None
) -> WatchedAgent:
    """Watch an agent against a regression suite snapshot, stored content-addressed under ``watch/``."""
    key = f"watch/{bundle_name}/suite-{suite.hash[:16]}.json"
    stores.blobs.put(key, suite.model_dump_json().encode(), content_type="application/json")
    agent = WatchedAgent(
        bundle_name=bundle_name, suite_name=suite.name, suite_key=key, options=options or RunOptions()
    )
    return watch_agent(agent, stores)


def unwatch_agent(bundle_name: str, stores: Stores) -> None:
    stores.runs.delete(WATCH_PARTITION, bundle_name)


def watched_agents(stores: Stores) -> list[WatchedAgent]:
    return [WatchedAgent.model_validate(doc.doc) for doc in stores.runs.query(WATCH_PARTITION)]


def drift_run_id(bundle_name: str, checked_at: datetime) -> str:
    """Deterministic per agent and check time, so a retried check reruns once (execution names are unique)."""
    return f"drift-{bundle_name}-{checked_at.strftime('%Y%m%dT%H%M%SZ')}"


def plan_drift_checks(
    request: DriftCheckRequest, stores: Stores, *, live_version: Callable[[str], str | None] | None = None
) -> DriftPlan:
    """One rerun per watched agent with a live version; ``live_version`` defaults to the bundle store's."""
    if live_version is None:
        live_version = BundleStore(stores.blobs, stores.runs).live
    checks: list[PlannedCheck] = []
    skipped: list[str] = []
    for agent in watched_agents(stores):
        version = live_version(agent.bundle_name)
        if version is None:
            skipped.append(agent.bundle_name)
            continue
        run_request = PrepareRequest(
            run_id=drift_run_id(agent.bundle_name, request.checked_at),
            bundle_name=agent.bundle_name,
            bundle_version=version,
            suite_key=agent.suite_key,
            gates_key=agent.gates_key,
            options=agent.options.model_copy(update={"promote_on_pass": False}),
        )
        checks.append(PlannedCheck(agent=agent.bundle_name, run_request=run_request))
    return DriftPlan(checks=checks, skipped=skipped)


def _pass_rate(run: RunRecord) -> float | None:
    value = run.summary.get("pass_rate")
    return float(value) if isinstance(value, int | float) else None


def compare_with_last_green(request: DriftCompareRequest, stores: Stores) -> DriftFinding:
    """Regressed when the rerun did not finish, failed its gates, or passes less often than the baseline.

    The baseline is the last green run the gate stage compared against; the gate's own reasons (including
    its no-regression gate) explain the failure."""
    archive = RunArchive(stores)
    try:
        run = archive.get_run(request.run_id)
    except NotFound:
        return DriftFinding(
            agent=request.agent, run_id=request.run_id, regressed=True, reasons=["the rerun did not start"]
        )
    finding = DriftFinding(
        agent=request.agent,
        run_id=run.run_id,
        bundle_version=run.bundle_version,
        regressed=False,
        pass_rate=_pass_rate(run),
    )
    if run.status != RunStatus.GATED or run.gate is None:
        return finding.model_copy(
            update={"regressed": True, "reasons": [f"the rerun stopped at status {run.status.value!r}"]}
        )
    baseline_id = run.gate.baseline_run_id
    baseline_rate: float | None = None
    if baseline_id is not None:
        try:
            baseline_rate = _pass_rate(archive.get_run(baseline_id))
        except NotFound:
            baseline_id = None
    reasons = [] if run.gate.passed else list(run.gate.reasons) or ["the rerun failed its gates"]
    if baseline_rate is not None and finding.pass_rate is not None and finding.pass_rate < baseline_rate:
        reasons.append(f"pass rate {finding.pass_rate:.1%} is below the last green run's {baseline_rate:.1%}")
    return finding.model_copy(
        update={
            "regressed": bool(reasons),
            "reasons": reasons,
            "baseline_run_id": baseline_id,
            "baseline_pass_rate": baseline_rate,
        }
    )


def drift_partition(bundle_name: str) -> str:
    return f"drift#{bundle_name}"


def record_drift(finding: DriftFinding, stores: Stores) -> DriftRecorded:
    """Keep the regression next to the agent's runs: ``(drift#<agent>, <run id>)``, indexed by agent."""
    stores.runs.put(
        drift_partition(finding.agent),
        finding.run_id,
        finding.model_dump(mode="json"),
        index={"drift": finding.agent},
    )
    return DriftRecorded(agent=finding.agent, run_id=finding.run_id, recorded=True)


def drift_history(bundle_name: str, stores: Stores) -> list[DriftFinding]:
    return [DriftFinding.model_validate(doc.doc) for doc in stores.runs.query(drift_partition(bundle_name))]
