"""The stages of a rehearsal run as pure functions of their input event and the stores.

``prepare → simulate → evaluate`` (per item) ``→ aggregate → gate → promote``. Step Functions runs each in its
own Lambda; the local orchestrator runs the same functions. Loaded bundles, suites, simulators and compiled
behaviours are cached per process and per run, so a warm worker pays for them once.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehearsal.bundles.store import BundleStore
from rehearsal.evaluate.aggregate import RunAggregate, aggregate
from rehearsal.evaluate.alignment import AlignmentQueue
from rehearsal.evaluate.behaviours.library import CompiledBehaviours, compile_behaviours, parse_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.evaluate.gates import GatePolicy, evaluate_gates
from rehearsal.evaluate.results import ItemResult, Verdict
from rehearsal.evaluate.turn_tests import SCENARIO_PREFIX, run_turn_test
from rehearsal.pipeline.archive import GateOutcome, ItemState, RunArchive, RunRecord, RunStatus
from rehearsal.pipeline.events import (
    AggregateRequest,
    AggregateResult,
    EvaluateRequest,
    EvaluateResult,
    GateRequest,
    GateResult,
    ItemRef,
    PrepareRequest,
    PrepareResult,
    PromoteRequest,
    PromoteResult,
    SimulateRequest,
    SimulateResult,
)
from rehearsal.pipeline.snapshot import SuiteSnapshot
from rehearsal.runtime.state import utcnow
from rehearsal.settings import Settings
from rehearsal.simulate.driver import Simulator
from rehearsal.simulate.items import RunItem, expand
from rehearsal.simulate.records import SimulationRecord
from rehearsal.simulate.specs.suite import TurnTest
from rehearsal.storage.factory import Stores

if TYPE_CHECKING:
    from rehearsal.bundles.loader import LoadedBundle
    from rehearsal.llm.ports import ChatModel


@dataclass
class _RunContext:
    """Everything a worker needs for one run, loaded on first use."""

    run_id: str
    stores: Stores
    settings: Settings

    @cached_property
    def archive(self) -> RunArchive:
        return RunArchive(self.stores)

    @cached_property
    def record(self) -> RunRecord:
        return self.archive.get_run(self.run_id)

    @cached_property
    def snapshot(self) -> SuiteSnapshot:
        return SuiteSnapshot.model_validate_json(self.archive.read(self.archive.suite_key(self.run_id)))

    @cached_property
    def bundle(self) -> LoadedBundle:
        loaded = BundleStore(self.stores.blobs, self.stores.runs).get(
            self.record.bundle_name, self.record.bundle_version
        )
        paths = [Path(p) for p in self.record.options.tool_search_paths]
        if paths and loaded.source_dir is None:
            loaded = loaded.model_copy(update={"source_dir": paths[0]})
        return loaded

    @cached_property
    def simulator(self) -> Simulator:
        options = self.record.options
        return Simulator.for_bundle(
            self.bundle,
            agent_engine=options.agent_engine,
            agent_model=self._chat_model(for_agent=True) if options.agent_engine == "llm" else None,
            visitor_model=self._chat_model(for_agent=False) if options.visitor_engine == "llm" else None,
            search_paths=[Path(p) for p in options.tool_search_paths],
        )

    def behaviours(self) -> CompiledBehaviours | None:
        """Compiled with every answered alignment question as a labelled example (cached per label set)."""
        if self.snapshot.behaviours is None:
            return None
        definitions = parse_behaviours(self.snapshot.behaviours, source=f"run {self.run_id} behaviours")
        return compile_behaviours(definitions, AlignmentQueue(self.stores.runs).labels())

    def _chat_model(self, *, for_agent: bool) -> ChatModel:
        from rehearsal.llm.openai_provider import OpenAIChatModel

        key = self.settings.llm_api_key.get_secret_value() if self.settings.llm_api_key else "not-needed"
        model_settings, base_url = self.bundle.bundle.model, self.settings.llm_base_url
        if for_agent:  # the agent under test goes through the SDK, as it does when deployed
            return OpenAIChatModel.from_settings(model_settings, api_key=key, base_url=base_url)
        # A visitor is the harness's: the same requests, without the SDK's per-call CPU (openai_provider)
        visitor_settings = model_settings.model_copy(update={"model": self.settings.llm_model})
        return OpenAIChatModel.from_settings(
            visitor_settings, api_key=key, base_url=base_url, transport="direct"
        )

    def turn_test(self, item_id: str) -> TurnTest:
        test_id = item_id.removeprefix(SCENARIO_PREFIX)
        for test in self.snapshot.turn_tests:
            if test.id == test_id:
                return test
        raise KeyError(f"run {self.run_id} has no turn test {test_id!r}")

    def base_world(self) -> dict[str, Any]:
        key = self.snapshot.suite.world
        return self.snapshot.worlds.get(key, {}) if key else {}

    def item(self, item_id: str) -> RunItem:
        return RunItem.model_validate_json(self.archive.read(item_key(self.run_id, item_id)))


_contexts: dict[tuple[int, str], _RunContext] = {}


def _context(run_id: str, stores: Stores, settings: Settings | None) -> _RunContext:
    key = (id(stores), run_id)
    context = _contexts.get(key)
    if context is None:
        if len(_contexts) > 16:
            _contexts.clear()
        context = _contexts[key] = _RunContext(run_id, stores, settings or Settings())
    return context


def item_key(run_id: str, item_id: str) -> str:
    return f"runs/{run_id}/items/{item_id}/item.json"


# --- stages ----------------------------------------------------------------------------------------------


def prepare_run(request: PrepareRequest, stores: Stores) -> PrepareResult:
    """Create the run record and write one spec per item plus the manifest. Idempotent: preparing a run that
    exists returns its manifest unchanged (resume)."""
    archive = RunArchive(stores)
    snapshot = SuiteSnapshot.model_validate_json(archive.read(request.suite_key))
    manifest_key = archive.manifest_key(request.run_id)
    options = request.options.model_copy(update={"trials": request.options.trials or snapshot.suite.trials})
    items = expand(snapshot.restore(), options.trials)
    record = archive.create_run(
        RunRecord(
            run_id=request.run_id,
            bundle_name=request.bundle_name,
            bundle_version=request.bundle_version,
            suite_name=snapshot.name,
            suite_hash=snapshot.hash,
            options=options,
            has_gates=request.gates_key is not None or snapshot.gates is not None,
            item_count=len(items) + len(snapshot.turn_tests),
        )
    )
    if not archive.exists(manifest_key):
        for item in items:
            archive.write_once(item_key(request.run_id, item.item_id), item.model_dump_json().encode())
        item_ids = [item.item_id for item in items]
        item_ids += [f"{SCENARIO_PREFIX}{test.id}" for test in snapshot.turn_tests]
        refs = [ItemRef(run_id=request.run_id, item_id=item_id).model_dump() for item_id in item_ids]
        archive.write_once(manifest_key, json.dumps(refs).encode())
    return PrepareResult(
        run_id=request.run_id,
        manifest_key=manifest_key,
        bucket=getattr(stores.blobs, "bucket", None),
        item_count=record.item_count,
        max_concurrency=request.options.max_concurrency,
        tolerated_failure_percentage=request.options.tolerated_failure_percentage,
    )


def _store_simulation(context: _RunContext, item: RunItem, record: SimulationRecord) -> SimulateResult:
    key = context.archive.simulation_key(context.run_id, item.item_id)
    context.archive.blobs.put(key, record.model_dump_json().encode(), content_type="application/json")
    status = "errored" if record.error else "simulated"
    context.archive.put_item_state(
        context.run_id, ItemState(item_id=item.item_id, scenario_id=item.scenario_id, status=status)
    )
    return SimulateResult(
        run_id=context.run_id, item_id=item.item_id, status=status, simulation_key=key, error=record.error
    )


def _crashed(context: _RunContext, item_id: str, error: str) -> SimulateResult:
    context.archive.put_item_state(context.run_id, ItemState(item_id=item_id, status="errored"))
    return SimulateResult(run_id=context.run_id, item_id=item_id, status="errored", error=error)


def _store_result(context: _RunContext, result: ItemResult) -> EvaluateResult:
    result_key = context.archive.result_key(context.run_id, result.item_id)
    context.archive.blobs.put(result_key, result.model_dump_json().encode(), content_type="application/json")
    context.archive.put_item_state(
        context.run_id,
        ItemState(
            item_id=result.item_id,
            scenario_id=result.scenario_id,
            status="evaluated",
            verdict=result.verdict.value,
        ),
    )
    return EvaluateResult(
        run_id=context.run_id,
        item_id=result.item_id,
        verdict=result.verdict.value,
        result_key=result_key,
        cost_usd=result.cost_usd,
    )


def _run_turn_test(context: _RunContext, item_id: str) -> SimulateResult:
    """A turn test is replayed and judged in one step; evaluate then only reports its stored result."""
    result = run_turn_test(context.turn_test(item_id), context.simulator.runtime, world=context.base_world())
    _store_result(context, result.model_copy(update={"item_id": item_id}))
    return SimulateResult(run_id=context.run_id, item_id=item_id, status="skipped")


def simulate_item(
    request: SimulateRequest, stores: Stores, *, settings: Settings | None = None
) -> SimulateResult:
    """One conversation. A crash (of the visitor, the agent or our own code) is recorded, never raised."""
    context = _context(request.run_id, stores, settings)
    if request.item_id.startswith(SCENARIO_PREFIX):
        try:
            return _run_turn_test(context, request.item_id)
        except Exception:
            return _crashed(context, request.item_id, traceback.format_exc())
    try:
        item = context.item(request.item_id)
        record = context.simulator.run(item, visitor_engine=context.record.options.visitor_engine)
    except Exception:
        return _crashed(context, request.item_id, traceback.format_exc())
    return _store_simulation(context, item, record)


async def asimulate_item(
    request: SimulateRequest, stores: Stores, *, settings: Settings | None = None
) -> SimulateResult:
    context = _context(request.run_id, stores, settings)
    if request.item_id.startswith(SCENARIO_PREFIX):
        try:
            return await asyncio.to_thread(_run_turn_test, context, request.item_id)
        except Exception:
            return _crashed(context, request.item_id, traceback.format_exc())
    try:
        item = context.item(request.item_id)
        record = await context.simulator.arun(item, visitor_engine=context.record.options.visitor_engine)
    except Exception:
        return _crashed(context, request.item_id, traceback.format_exc())
    return _store_simulation(context, item, record)


def _errored_result(request: EvaluateRequest, item: RunItem | None, error: str) -> ItemResult:
    return ItemResult(
        item_id=request.item_id,
        scenario_id=item.scenario_id if item else request.item_id.split("/")[0],
        variation=item.variation.index if item else 0,
        trial=item.trial if item else 0,
        seed=item.seed if item else 0,
        bundle_name="",
        bundle_version="",
        verdict=Verdict.ERRORED,
        rationale=f"errored: {error.strip().splitlines()[-1] if error.strip() else 'unknown error'}",
        error=error,
    )


def evaluate_item(
    request: EvaluateRequest, stores: Stores, *, settings: Settings | None = None
) -> EvaluateResult:
    """Score one simulated conversation against its scenario; low-confidence verdicts become questions."""
    context = _context(request.run_id, stores, settings)
    stored_key = context.archive.result_key(request.run_id, request.item_id)
    if request.status == "skipped" and context.archive.exists(stored_key):
        stored = ItemResult.model_validate_json(context.archive.read(stored_key))
        return EvaluateResult(
            run_id=request.run_id,
            item_id=request.item_id,
            verdict=stored.verdict.value,
            result_key=stored_key,
        )
    item: RunItem | None = None
    try:
        item = context.item(request.item_id)
        key = request.simulation_key or context.archive.simulation_key(request.run_id, request.item_id)
        if request.status == "errored" and not context.archive.exists(key):
            result = _errored_result(request, item, request.error or "the simulation failed")
        else:
            record = SimulationRecord.model_validate_json(context.archive.read(key))
            result = evaluate_record(
                record, item.scenario, behaviours=context.behaviours(), bundle=context.bundle.bundle
            )
            AlignmentQueue(stores.runs).ask(result, record.conversation, run_id=request.run_id)
    except Exception:
        failure = traceback.format_exc()
        if request.status == "errored" and request.error:  # keep why the item failed in the first place
            failure = f"{request.error}\n\n{failure}"
        result = _errored_result(request, item, failure)
    return _store_result(context, result)


def load_item_results(run_id: str, stores: Stores) -> list[ItemResult]:
    archive = RunArchive(stores)
    manifest = json.loads(archive.read(archive.manifest_key(run_id)))
    results = []
    for entry in manifest:
        key = archive.result_key(run_id, entry["item_id"])
        if archive.exists(key):
            results.append(ItemResult.model_validate_json(archive.read(key)))
        else:  # never evaluated (its Lambda failed outright): counted as errored, not dropped
            request = EvaluateRequest(run_id=run_id, item_id=entry["item_id"], status="errored")
            results.append(_errored_result(request, None, "the item has no result (its stage failed)"))
    return results


def load_aggregate(run_id: str, stores: Stores) -> RunAggregate:
    archive = RunArchive(stores)
    return RunAggregate.model_validate_json(archive.read(archive.artefact_key(run_id, "aggregate.json")))


def aggregate_run(request: AggregateRequest, stores: Stores) -> AggregateResult:
    archive = RunArchive(stores)
    record = archive.get_run(request.run_id)
    results = load_item_results(request.run_id, stores)
    summary = aggregate(results, k=record.options.trials or 1)
    key = archive.artefact_key(request.run_id, "aggregate.json")
    archive.blobs.put(key, summary.model_dump_json().encode(), content_type="application/json")
    counts = {verdict: summary.count(verdict) for verdict in Verdict}
    pass_rate = summary.pass_rate.rate or 0.0

    def mark(run: RunRecord) -> RunRecord:
        headline = {
            "items": len(results),
            "pass_rate": pass_rate,
            **{verdict.value: count for verdict, count in counts.items()},
        }
        return run.model_copy(update={"status": RunStatus.AGGREGATED, "summary": headline})

    archive.update_run(request.run_id, mark)
    return AggregateResult(
        run_id=request.run_id,
        aggregate_key=key,
        items=len(results),
        passed=counts[Verdict.PASS],
        failed=counts[Verdict.FAIL],
        errored=counts[Verdict.ERRORED],
        inconclusive=counts[Verdict.INCONCLUSIVE_SIMULATOR],
        pass_rate=pass_rate,
    )


def gate_policy(run_id: str, stores: Stores) -> GatePolicy | None:
    archive = RunArchive(stores)
    gates_key = archive.gates_key(run_id)
    if archive.exists(gates_key):
        return GatePolicy.model_validate_json(archive.read(gates_key))
    return SuiteSnapshot.model_validate_json(archive.read(archive.suite_key(run_id))).gates


def gate_run(request: GateRequest, stores: Stores) -> GateResult:
    """Gates against the bundle's last green run on the same suite; a green run becomes the new baseline."""
    archive = RunArchive(stores)
    record = archive.get_run(request.run_id)
    policy = gate_policy(request.run_id, stores) or GatePolicy()
    # Gating again (after alignment answers) keeps the baseline the run was first judged against.
    baseline_id = (
        record.gate.baseline_run_id
        if record.gate
        else archive.last_green(record.bundle_name, record.suite_name)
    )
    baseline = load_aggregate(baseline_id, stores) if baseline_id else None
    decision = evaluate_gates(load_aggregate(request.run_id, stores), policy, baseline)
    archive.blobs.put(
        archive.artefact_key(request.run_id, "gate.json"),
        decision.model_dump_json().encode(),
        content_type="application/json",
    )
    outcome = GateOutcome(passed=decision.passed, reasons=decision.reasons, baseline_run_id=baseline_id)

    def mark(run: RunRecord) -> RunRecord:
        return run.model_copy(update={"status": RunStatus.GATED, "gate": outcome, "finished_at": utcnow()})

    archive.update_run(request.run_id, mark)
    if decision.passed:
        archive.set_last_green(record.bundle_name, record.suite_name, request.run_id)
    return GateResult(
        run_id=request.run_id,
        passed=decision.passed,
        reasons=decision.reasons,
        promote=decision.passed and record.options.promote_on_pass,
        baseline_run_id=baseline_id,
    )


def promote_bundle(request: PromoteRequest, stores: Stores) -> PromoteResult:
    """Make the run's bundle version live — only when the run passed its gates."""
    archive = RunArchive(stores)
    record = archive.get_run(request.run_id)
    promoted = bool(record.gate and record.gate.passed)
    if promoted:
        BundleStore(stores.blobs, stores.runs).promote(record.bundle_name, record.bundle_version)
        archive.update_run(request.run_id, lambda run: run.model_copy(update={"promoted": True}))
    return PromoteResult(
        run_id=request.run_id,
        bundle_name=record.bundle_name,
        bundle_version=record.bundle_version,
        promoted=promoted,
    )


__all__ = [
    "aggregate_run",
    "asimulate_item",
    "evaluate_item",
    "gate_run",
    "load_aggregate",
    "load_item_results",
    "prepare_run",
    "promote_bundle",
    "simulate_item",
]
