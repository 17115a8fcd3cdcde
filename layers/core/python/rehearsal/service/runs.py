"""Runs started over the API: the suite arrives as a snapshot (one JSON document), is checked against the
bundle, archived, and handed to the orchestrator (Step Functions on AWS, the local orchestrator otherwise).

A start with an idempotency key names the run after the key, so the same key starts one run, once."""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.store import LIVE, BundleStore
from rehearsal.evaluate.aggregate import RunAggregate
from rehearsal.evaluate.compare import RunComparison
from rehearsal.pipeline.archive import ItemState, RunArchive, RunRecord, run_partition
from rehearsal.pipeline.events import PrepareRequest, RunOptions
from rehearsal.pipeline.launcher import ExecutionStatus, RunLauncher
from rehearsal.pipeline.planning import new_run_id
from rehearsal.pipeline.reporting import build_report, compare_archived, render_report_html
from rehearsal.pipeline.snapshot import SuiteSnapshot
from rehearsal.pipeline.stages import load_aggregate
from rehearsal.simulate.specs.bundle_check import validate_suite_against_bundle
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import NotFound

EXECUTION_KEY = "execution"
IdempotencyKey = Annotated[str, Field(min_length=1, max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartRun(_Model):
    bundle: Annotated[str, Field(min_length=1, max_length=128)]
    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9][\w.-]{0,63}$")] = Field(
        LIVE, description="live, a label or a version prefix"
    )
    suite: SuiteSnapshot = Field(description="The suite with every file resolved (``rehearsal`` snapshots).")
    options: RunOptions = Field(default_factory=RunOptions)
    idempotency_key: IdempotencyKey | None = Field(
        None, description="Same key, same run: a repeated start starts nothing new."
    )


class RunStarted(_Model):
    run_id: str
    execution_id: str
    already_started: bool
    item_count_hint: int = Field(description="Scenarios in the suite (items = expansion × trials).")


class RunView(_Model):
    run: RunRecord
    execution: ExecutionStatus | None = None


class RunResults(_Model):
    run_id: str
    items: list[ItemState]
    aggregate: RunAggregate | None = None


def run_id_for(bundle_name: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{bundle_name}\0{idempotency_key}".encode()).hexdigest()[:20]
    return f"{bundle_name[:60]}-{digest}"


def plan_snapshot_run(request: StartRun, stores: Stores, *, run_id: str) -> PrepareRequest:
    """Check the suite against the bundle and archive the snapshot (and its gates) under the run."""
    archive = RunArchive(stores)
    bundle = BundleStore(stores.blobs, stores.runs).get(request.bundle, request.version)
    validate_suite_against_bundle(request.suite.restore(), bundle.bundle)
    archive.write_once(archive.suite_key(run_id), request.suite.model_dump_json().encode())
    gates_key = None
    if request.suite.gates is not None:
        gates_key = archive.gates_key(run_id)
        archive.write_once(gates_key, request.suite.gates.model_dump_json().encode())
    return PrepareRequest(
        run_id=run_id,
        bundle_name=bundle.name,
        bundle_version=bundle.version,
        suite_key=archive.suite_key(run_id),
        gates_key=gates_key,
        options=request.options,
    )


def start_run(
    request: StartRun, stores: Stores, launcher: RunLauncher, *, idempotency_key: str | None = None
) -> RunStarted:
    key = idempotency_key or request.idempotency_key
    if key is None:
        bundle = BundleStore(stores.blobs, stores.runs).get(request.bundle, request.version)
        run_id = new_run_id(bundle)
    else:
        run_id = run_id_for(request.bundle, key)
    prepare = plan_snapshot_run(request, stores, run_id=run_id)
    launch = launcher.start(prepare.model_dump(mode="json"), idempotency_key=key or run_id)
    stores.runs.put(run_partition(run_id), EXECUTION_KEY, {"execution_id": launch.execution_id})
    return RunStarted(
        run_id=run_id,
        execution_id=launch.execution_id,
        already_started=launch.already_started,
        item_count_hint=len(request.suite.scenarios),
    )


def execution_id(run_id: str, stores: Stores) -> str | None:
    try:
        return str(stores.runs.get(run_partition(run_id), EXECUTION_KEY).doc["execution_id"])
    except NotFound:
        return None


def run_view(run_id: str, stores: Stores, launcher: RunLauncher) -> RunView:
    """The run record once prepared; before that, only the execution (404 when neither exists)."""
    execution_ref = execution_id(run_id, stores)
    execution = launcher.status(execution_ref) if execution_ref else None
    return RunView(run=RunArchive(stores).get_run(run_id), execution=execution)


def run_results(run_id: str, stores: Stores) -> RunResults:
    archive = RunArchive(stores)
    archive.get_run(run_id)  # 404 for an unknown run
    states = sorted(archive.item_states(run_id).values(), key=lambda state: state.item_id)
    aggregate = None
    if archive.exists(archive.artefact_key(run_id, "aggregate.json")):
        aggregate = load_aggregate(run_id, stores)
    return RunResults(run_id=run_id, items=states, aggregate=aggregate)


REPORT_ARTEFACT = "report.html"


def run_report_html(run_id: str, stores: Stores) -> str:
    """The archived HTML report, or one rendered now from the archive once the run is aggregated."""
    archive = RunArchive(stores)
    archive.get_run(run_id)  # 404 for an unknown run
    key = archive.artefact_key(run_id, REPORT_ARTEFACT)
    if archive.exists(key):
        return archive.read(key).decode("utf-8")
    if not archive.exists(archive.artefact_key(run_id, "aggregate.json")):
        raise NotFound(f"run {run_id!r} has no report yet: it is not aggregated")
    return render_report_html(build_report(run_id, stores), stores)


def compare_with(run_id: str, stores: Stores, *, baseline_run_id: str | None) -> RunComparison:
    """Compare a run with ``baseline_run_id``, or with its bundle's last green run on the same suite."""
    archive = RunArchive(stores)
    record = archive.get_run(run_id)
    baseline = baseline_run_id or (record.gate.baseline_run_id if record.gate else None)
    baseline = baseline or archive.last_green(record.bundle_name, record.suite_name)
    if baseline is None or baseline == run_id:
        raise NotFound(f"run {run_id!r} has no green run of {record.bundle_name!r} to compare with")
    archive.get_run(baseline)
    return compare_archived(baseline, run_id, stores)
