"""The local orchestrator: the same stage functions Step Functions runs, driven on one machine.

Offline engines are CPU-bound, so items go to a process pool (each worker builds its stores and caches once);
LLM engines are I/O-bound, so items run as asyncio tasks behind a start gate (bounded, and paced over the
ramp-up), with the collector paced for a loop of many conversations (``heap``). Every finished item is
persisted before the next is reported, which is what makes a killed run resumable: rerunning it completes
exactly the items that have no result yet.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from rehearsal.pipeline.archive import RunArchive
from rehearsal.pipeline.events import (
    AggregateRequest,
    AggregateResult,
    EvaluateRequest,
    GateRequest,
    GateResult,
    ItemRef,
    PrepareRequest,
    PrepareResult,
    PromoteRequest,
    SimulateRequest,
    SimulateResult,
)
from rehearsal.pipeline.heap import steady_heap
from rehearsal.pipeline.pacing import StartGate
from rehearsal.pipeline.stages import (
    aggregate_run,
    asimulate_item,
    evaluate_item,
    gate_run,
    prepare_run,
    promote_bundle,
    simulate_item,
)
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores

ProgressCallback = Callable[[int, int, str], None]
"""Called with (done, total, verdict) after each item."""


@dataclass
class LocalRunOutcome:
    prepared: PrepareResult
    aggregate: AggregateResult
    gate: GateResult
    promoted: bool
    resumed_items: int = 0
    verdicts: dict[str, str] = field(default_factory=dict)


def _run_item(ref: ItemRef, stores: Stores) -> str:
    simulated = simulate_item(SimulateRequest(run_id=ref.run_id, item_id=ref.item_id), stores)
    return evaluate_item(_evaluate_request(simulated), stores).verdict


def _evaluate_request(simulated: SimulateResult) -> EvaluateRequest:
    return EvaluateRequest(
        run_id=simulated.run_id,
        item_id=simulated.item_id,
        simulation_key=simulated.simulation_key,
        status=simulated.status,
        error=simulated.error,
    )


_worker_stores: Stores | None = None


def _init_worker(settings_json: str) -> None:
    global _worker_stores  # noqa: PLW0603 — one set of stores per worker process, built once
    _worker_stores = build_stores(Settings.model_validate_json(settings_json))


def _run_chunk(refs: list[ItemRef]) -> list[tuple[str, str]]:
    assert _worker_stores is not None
    return [(ref.item_id, _run_item(ref, _worker_stores)) for ref in refs]


def _chunks(refs: list[ItemRef], size: int) -> Iterator[list[ItemRef]]:
    for start in range(0, len(refs), size):
        yield refs[start : start + size]


def pending_items(prepared: PrepareResult, stores: Stores) -> tuple[list[ItemRef], int]:
    """The manifest's items that have no evaluated result yet, and how many were already done."""
    archive = RunArchive(stores)
    manifest = [ItemRef.model_validate(entry) for entry in json.loads(archive.read(prepared.manifest_key))]
    done = {
        item_id
        for item_id, state in archive.item_states(prepared.run_id).items()
        if state.status == "evaluated"
    }
    return [ref for ref in manifest if ref.item_id not in done], len(done)


def _run_in_processes(
    refs: list[ItemRef],
    settings: Settings,
    workers: int,
    progress: ProgressCallback | None,
    total: int,
    done: int,
) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    chunk_size = max(1, min(16, len(refs) // (workers * 4) or 1))
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(settings.model_dump_json(),)
    ) as pool:
        futures = [pool.submit(_run_chunk, chunk) for chunk in _chunks(refs, chunk_size)]
        try:
            for future in as_completed(futures):
                for item_id, verdict in future.result():
                    verdicts[item_id] = verdict
                    done += 1
                    if progress:
                        progress(done, total, verdict)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return verdicts


async def _run_async(
    refs: list[ItemRef],
    stores: Stores,
    starts: StartGate,
    progress: ProgressCallback | None,
    total: int,
    done: int,
) -> dict[str, str]:
    verdicts: dict[str, str] = {}

    async def one(ref: ItemRef) -> None:
        nonlocal done
        async with starts:
            simulated = await asimulate_item(SimulateRequest(run_id=ref.run_id, item_id=ref.item_id), stores)
            evaluated = await asyncio.to_thread(evaluate_item, _evaluate_request(simulated), stores)
        verdicts[ref.item_id] = evaluated.verdict
        done += 1
        if progress:
            progress(done, total, evaluated.verdict)

    await asyncio.gather(*(one(ref) for ref in refs))
    return verdicts


def run_local(
    request: PrepareRequest,
    settings: Settings,
    *,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    on_prepared: Callable[[PrepareResult, int], None] | None = None,
) -> LocalRunOutcome:
    """prepare → simulate ∥ evaluate per item → aggregate → gate → promote (when asked and green)."""
    stores = build_stores(settings)
    prepared = prepare_run(request, stores)
    refs, already_done = pending_items(prepared, stores)
    if on_prepared:
        on_prepared(prepared, already_done)
    options = request.options
    uses_llm = options.agent_engine == "llm" or options.visitor_engine == "llm"
    if uses_llm:
        starts = StartGate(options.max_concurrency, options.ramp_up_s)
        with steady_heap():
            verdicts = asyncio.run(
                _run_async(refs, stores, starts, progress, prepared.item_count, already_done)
            )
    elif refs:
        worker_count = workers or min(os.cpu_count() or 1, max(1, len(refs) // 4) or 1)
        if worker_count == 1:
            verdicts = {}
            for index, ref in enumerate(refs, start=already_done + 1):
                verdicts[ref.item_id] = verdict = _run_item(ref, stores)
                if progress:
                    progress(index, prepared.item_count, verdict)
        else:
            verdicts = _run_in_processes(
                refs, settings, worker_count, progress, prepared.item_count, already_done
            )
    else:
        verdicts = {}
    aggregate = aggregate_run(AggregateRequest(run_id=request.run_id), stores)
    gate = gate_run(GateRequest(run_id=request.run_id), stores)
    promoted = False
    if gate.promote:
        promoted = promote_bundle(PromoteRequest(run_id=request.run_id), stores).promoted
    return LocalRunOutcome(
        prepared=prepared,
        aggregate=aggregate,
        gate=gate,
        promoted=promoted,
        resumed_items=already_done,
        verdicts=verdicts,
    )
