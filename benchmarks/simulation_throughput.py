"""Simulation throughput: what a rehearsal run costs, with offline engines and with LLM engines.

(a) offline engines (flow agent, agenda visitor): the Acme Retail suite against bundle v2, each conversation
    simulated AND evaluated, on 2 worker processes — conversations per second (target ≥ 200);
(b) LLM engines (llm agent and llm visitor) against a local OpenAI-compatible stub that answers at once —
    conversations per second, i.e. the harness's own cost per conversation (target ≥ 20);
(c) the same stub answering after a fixed 200 ms, 1,000 conversations at concurrency 256 — wall time as a
    ratio of the ideal latency-bound time, LLM requests × 0.2 s ÷ 256 (target ≤ 1.15).

Run: .venv/bin/python benchmarks/simulation_throughput.py [--quick] [--out FILE]
(default FILE: benchmarks/results/simulation_throughput.json; --quick runs smaller batches and writes nothing)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rehearsal.bundles.loader import load_bundle
from rehearsal.evaluate.behaviours import compile_behaviours, load_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.llm.openai_provider import OpenAIChatModel
from rehearsal.llm.stub_server import StubOpenAIServer, StubReply
from rehearsal.simulate.driver import Simulator
from rehearsal.simulate.items import RunItem, expand
from rehearsal.simulate.specs.loading import load_suite

EXAMPLE = Path(__file__).parents[1] / "examples" / "acme_retail"
WORKERS = 2
LATENCY_S = 0.2


# --- (a) offline engines on worker processes --------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(trials: int) -> None:
    """Per process, once: the suite, the runtime (recognizer training, tool binding) and the detectors."""
    suite = load_suite(EXAMPLE / "suite.yaml")
    bundle = load_bundle(EXAMPLE / "bundle.v2.yaml")
    _worker.update(
        items=expand(suite, trials),
        bundle=bundle,
        simulator=Simulator.for_bundle(bundle),
        behaviours=compile_behaviours(load_behaviours(EXAMPLE / "behaviours.yaml")),
    )


def _simulate_and_evaluate(indices: range) -> int:
    simulator, behaviours, bundle = _worker["simulator"], _worker["behaviours"], _worker["bundle"].bundle
    passed = 0
    for index in indices:
        item: RunItem = _worker["items"][index]
        result = evaluate_record(simulator.run(item), item.scenario, behaviours=behaviours, bundle=bundle)
        passed += result.verdict == "pass"
    return passed


def offline(trials: int) -> dict[str, Any]:
    count = len(expand(load_suite(EXAMPLE / "suite.yaml"), trials))
    chunks = [range(start, min(start + 25, count)) for start in range(0, count, 25)]
    with ProcessPoolExecutor(WORKERS, initializer=_start_worker, initargs=(trials,)) as pool:
        list(pool.map(_simulate_and_evaluate, [range(0, 4)] * WORKERS))  # warm both workers
        started = time.perf_counter()
        passed = sum(pool.map(_simulate_and_evaluate, chunks))
        elapsed = time.perf_counter() - started
    return {
        "conversations": count,
        "passed": passed,
        "seconds": round(elapsed, 3),
        "conversations_per_s": round(count / elapsed, 1),
        "target_per_s": 200,
    }


# --- (b) and (c) LLM engines against the local stub -------------------------------------------------------


def play_both_sides(request: dict[str, Any]) -> StubReply:
    """The stub's answers: the agent (asked with tools) looks the order up and answers; the visitor (asked
    without) asks, thanks, and stops — six model calls per conversation."""
    messages = request["messages"]
    if request.get("tools"):
        if messages[-1]["role"] == "tool":
            return StubReply.say("Order A1001 has shipped. Is there anything else I can help you with?")
        if sum(message["role"] == "user" for message in messages) == 1:
            return StubReply.call("lookup_order", {"order_id": "A1001"})
        return StubReply.say("You're welcome. Goodbye!")
    spoken = sum(message["role"] == "assistant" for message in messages)
    lines = ["Hi, where is my order A1001?", "Great, thanks, that's all."]
    return StubReply.say(lines[spoken] if spoken < len(lines) else "Bye! ###STOP:goal_met###")


class StubProcess:
    """The stub model server in its own process: it is not part of the harness, so it must not share our
    interpreter lock (in-process it costs each call several milliseconds)."""

    def __init__(self, latency_s: float) -> None:
        self._latency_s = latency_s
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(child, latency_s), daemon=True)

    def __enter__(self) -> StubProcess:
        self._process.start()
        self.base_url: str = self._conn.recv()
        return self

    def counters(self) -> tuple[int, int]:
        """(requests so far, peak requests in flight)."""
        self._conn.send("counters")
        requests, peak = self._conn.recv()
        return requests, peak

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)


def _serve(conn: Any, latency_s: float) -> None:
    with StubOpenAIServer(responder=play_both_sides, latency_s=latency_s) as server:
        conn.send(server.base_url)
        while conn.recv() == "counters":
            conn.send((len(server.requests), server.max_in_flight))


async def llm_run(count: int, concurrency: int, latency_s: float) -> dict[str, Any]:
    suite = load_suite(EXAMPLE / "suite.yaml")
    template = next(item for item in expand(suite, 1) if item.scenario_id == "order_status")
    items = [template.model_copy(update={"item_id": f"llm/{n:04d}", "seed": n}) for n in range(count)]
    with StubProcess(latency_s) as server:
        model = OpenAIChatModel(server.base_url, "not-needed", "stub-model", max_retries=0, timeout_s=30)
        simulator = Simulator.for_bundle(
            load_bundle(EXAMPLE / "bundle.v2.yaml"),
            agent_engine="llm",
            agent_model=model,
            visitor_model=model,
        )
        gate = asyncio.Semaphore(concurrency)

        async def one(item: RunItem) -> str:
            async with gate:
                record = await simulator.arun(item, visitor_engine="llm")
            return record.error or record.visitor_termination

        await one(items[0].model_copy(update={"item_id": "llm/warm-up"}))
        warm_requests, _ = server.counters()
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(item) for item in items))
        elapsed = time.perf_counter() - started
        total_requests, peak = server.counters()
    requests = total_requests - warm_requests
    figures: dict[str, Any] = {
        "conversations": count,
        "concurrency": concurrency,
        "latency_s": latency_s,
        "model_requests": requests,
        "goal_met": sum(outcome == "goal_met" for outcome in outcomes),
        "peak_requests_in_flight": peak,
        "seconds": round(elapsed, 3),
        "conversations_per_s": round(count / elapsed, 1),
    }
    if latency_s > 0:
        ideal = requests * latency_s / concurrency
        figures |= {"ideal_seconds": round(ideal, 3), "ratio_to_ideal": round(elapsed / ideal, 3)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Smaller batches; print, write nothing.")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "simulation_throughput.json"
    )
    args = parser.parse_args()
    quick = args.quick
    results: dict[str, Any] = {
        "benchmark": "simulation_throughput",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "workers": WORKERS,
            "load_average_1m_at_start": round(
                os.getloadavg()[0], 2
            ),  # the machine is shared: read figures with it
        },
        "a_offline_simulate_and_evaluate": offline(trials=4 if quick else 16),
        "b_llm_engines_zero_latency": asyncio.run(llm_run(40 if quick else 200, 4, 0.0)),
        "c_llm_engines_200ms_concurrency_256": asyncio.run(llm_run(256 if quick else 1000, 256, LATENCY_S)),
    }
    results["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    results["b_llm_engines_zero_latency"]["target_per_s"] = 20
    results["c_llm_engines_200ms_concurrency_256"]["target_ratio"] = 1.15
    print(json.dumps(results, indent=2))
    if not quick:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
