"""Simulation throughput: what a rehearsal run costs, with offline engines and with LLM engines.

(a) offline engines (flow agent, agenda visitor): the Acme Retail suite against bundle v2, each conversation
    simulated AND evaluated, on 2 worker processes — conversations per second (target ≥ 200);
(b) LLM engines (llm agent and llm visitor) against a local OpenAI-compatible stub that answers at once —
    conversations per second, i.e. the harness's own cost per conversation (target ≥ 20); the agent's model
    calls go through the ``openai`` SDK, the visitor's direct, as a run builds them (``pipeline.stages``);
(c) the same stub answering after a fixed 200 ms, 1,000 conversations at concurrency 256 — wall time as a
    ratio of the ideal latency-bound time, LLM requests × 0.2 s ÷ 256 (target ≤ 1.15). The wall time includes
    the ramp-up: the first 256 conversations start spread over one model latency, as
    ``rehearsal run --ramp-up 0.2`` does. ``c0`` is the floor under it: the same traffic (7 requests in a row
    per conversation, through the same gate) from a client that does nothing else — the stub, the transport,
    the ramp-up and 1,000 conversations in 256 slots before the harness adds anything. ``c2`` is (c) with the
    256 in flight shared by two harness processes. Next to each ratio, ``ratio_to_ideal_cpu_bound``: the
    ratio had each harness process a core to itself (its CPU time or the latency bound, the longer).
The stub and the LLM harness run in processes of their own: the stub's CPU time never counts as the harness's.

Each figure is the median of ``--repeats`` runs (all runs are listed next to it), with the 1-minute load
average of the machine at each run and the CPU seconds the harness spent: on a shared machine the wall time
says how much CPU we were given, the CPU time what the work costs.

Run: .venv/bin/python benchmarks/simulation_throughput.py [--quick] [--repeats N] [--out FILE]
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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from rehearsal.bundles.loader import load_bundle
from rehearsal.evaluate.behaviours import compile_behaviours, load_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.llm.openai_provider import OpenAIChatModel, Transport
from rehearsal.llm.stub_server import StubOpenAIServer, StubReply
from rehearsal.pipeline.heap import steady_heap
from rehearsal.pipeline.pacing import StartGate
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


def _simulate_and_evaluate(indices: range) -> tuple[int, float]:
    """(conversations passed, CPU seconds spent) for a chunk of items."""
    simulator, behaviours, bundle = _worker["simulator"], _worker["behaviours"], _worker["bundle"].bundle
    started = time.process_time()
    passed = 0
    for index in indices:
        item: RunItem = _worker["items"][index]
        result = evaluate_record(simulator.run(item), item.scenario, behaviours=behaviours, bundle=bundle)
        passed += result.verdict == "pass"
    return passed, time.process_time() - started


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def median_of(runs: list[dict[str, Any]], key: str, *, higher_is_better: bool = True) -> dict[str, Any]:
    """The median run by ``key`` (of the two middle ones, the worse), with every run's ``key`` and load."""
    ranked = sorted(runs, key=lambda run: run[key], reverse=higher_is_better)  # best first
    median = dict(ranked[len(ranked) // 2])
    median["runs"] = [{key: run[key], "load_average_1m": run["load_average_1m"]} for run in runs]
    return median


def offline(trials: int, repeats: int) -> dict[str, Any]:
    count = len(expand(load_suite(EXAMPLE / "suite.yaml"), trials))
    chunks = [range(start, min(start + 25, count)) for start in range(0, count, 25)]
    runs = []
    with ProcessPoolExecutor(WORKERS, initializer=_start_worker, initargs=(trials,)) as pool:
        list(pool.map(_simulate_and_evaluate, [range(0, 4)] * WORKERS))  # warm both workers
        for _ in range(repeats):
            load = _load()
            started = time.perf_counter()
            outcomes = list(pool.map(_simulate_and_evaluate, chunks))
            elapsed = time.perf_counter() - started
            cpu = sum(seconds for _, seconds in outcomes)
            runs.append(
                {
                    "conversations": count,
                    "passed": sum(passed for passed, _ in outcomes),
                    "seconds": round(elapsed, 3),
                    "conversations_per_s": round(count / elapsed, 1),
                    "worker_cpu_s": round(cpu, 3),
                    "cpu_ms_per_conversation": round(1000 * cpu / count, 3),
                    "load_average_1m": load,
                }
            )
    return median_of(runs, "conversations_per_s") | {"target_per_s": 200}


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

    def counters(self) -> tuple[int, int, float]:
        """(requests so far, peak requests in flight, the server's CPU seconds so far)."""
        self._conn.send("counters")
        requests, peak, cpu = self._conn.recv()
        return requests, peak, cpu

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)


def _serve(conn: Any, latency_s: float) -> None:
    # The stub keeps every request it answers: paced like the harness, its collections do not stall replies.
    with steady_heap(), StubOpenAIServer(responder=play_both_sides, latency_s=latency_s) as server:
        conn.send(server.base_url)
        while conn.recv() == "counters":
            conn.send((len(server.requests), server.max_in_flight, time.process_time()))


class Harness:
    """LLM agent and LLM visitor against the stub, ``concurrency`` conversations at a time on one loop, their
    starts spread over ``ramp_up_s`` as the local orchestrator does (``rehearsal run --ramp-up``)."""

    def __init__(self, base_url: str, concurrency: int, ramp_up_s: float) -> None:
        suite = load_suite(EXAMPLE / "suite.yaml")
        self.template = next(item for item in expand(suite, 1) if item.scenario_id == "order_status")

        def model(transport: Transport) -> OpenAIChatModel:
            return OpenAIChatModel(
                base_url, "not-needed", "stub-model", max_retries=0, timeout_s=30, transport=transport
            )

        # As a run builds them (pipeline.stages): the agent through the SDK, the visitor direct.
        self.simulator = Simulator.for_bundle(
            load_bundle(EXAMPLE / "bundle.v2.yaml"),
            agent_engine="llm",
            agent_model=model("sdk"),
            visitor_model=model("direct"),
        )
        self.starts = StartGate(concurrency, ramp_up_s)

    async def one(self, item: RunItem) -> str:
        async with self.starts:
            record = await self.simulator.arun(item, visitor_engine="llm")
        return record.error or record.visitor_termination

    async def batch(self, count: int, tag: str) -> int:
        """Conversations that met their goal, of ``count``."""
        items = [
            self.template.model_copy(update={"item_id": f"llm/{tag}/{n:04d}", "seed": n})
            for n in range(count)
        ]
        outcomes = await asyncio.gather(*(self.one(item) for item in items))
        return sum(outcome == "goal_met" for outcome in outcomes)


def _shard(conn: Any, base_url: str, concurrency: int, ramp_up_s: float) -> None:
    """One harness process: warm up, then run each batch it is sent and answer (goal met, CPU seconds)."""

    async def serve() -> None:
        harness = Harness(base_url, concurrency, ramp_up_s)
        # One full wave first, not measured: it opens the pool's connections and grows the heap once.
        await harness.batch(concurrency, "warm-up")
        conn.send("ready")
        with steady_heap():  # as the local orchestrator runs LLM engines
            while (command := await asyncio.to_thread(conn.recv)) is not None:
                count, tag = command
                started = time.process_time()
                goal_met = await harness.batch(count, tag)
                conn.send((goal_met, time.process_time() - started))

    asyncio.run(serve())


def llm_runs(
    count: int, concurrency: int, latency_s: float, repeats: int, processes: int = 1
) -> list[dict[str, Any]]:
    """``repeats`` batches of ``count`` conversations, shared by ``processes`` harness processes (each with
    its share of the concurrency), against one stub process."""
    with StubProcess(latency_s) as server:
        pipes = [multiprocessing.Pipe() for _ in range(processes)]
        shards = [
            multiprocessing.Process(
                target=_shard, args=(child, server.base_url, concurrency // processes, latency_s)
            )
            for _, child in pipes
        ]
        for shard in shards:
            shard.start()
        for conn, _ in pipes:
            conn.recv()  # warmed up
        runs = []
        for run in range(repeats):
            requests_before, _, server_cpu_before = server.counters()
            load = _load()
            started = time.perf_counter()
            for index, (conn, _) in enumerate(pipes):
                conn.send((count // processes, f"{run}/{index}"))
            answers = [conn.recv() for conn, _ in pipes]
            elapsed = time.perf_counter() - started
            requests_after, peak, server_cpu_after = server.counters()
            requests = requests_after - requests_before
            runs.append(
                _llm_figures(
                    count,
                    concurrency,
                    latency_s,
                    requests,
                    elapsed,
                    sum(cpu for _, cpu in answers),
                    processes,
                )
                | {
                    "harness_processes": processes,
                    "goal_met": sum(goal_met for goal_met, _ in answers),
                    "peak_requests_in_flight": peak,
                    "stub_cpu_ms_per_request": round(
                        1000 * (server_cpu_after - server_cpu_before) / requests, 3
                    ),
                    "load_average_1m": load,
                }
            )
        for conn, _ in pipes:
            conn.send(None)
        for shard in shards:
            shard.join(timeout=30)
    return runs


def _llm_figures(
    count: int, concurrency: int, latency_s: float, requests: int, elapsed: float, cpu: float, processes: int
) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "conversations": count,
        "concurrency": concurrency,
        "latency_s": latency_s,
        "model_requests": requests,
        "seconds": round(elapsed, 3),
        "conversations_per_s": round(count / elapsed, 1),
        "harness_cpu_s": round(cpu, 3),
        "harness_cpu_ms_per_request": round(1000 * cpu / requests, 3),
    }
    if latency_s > 0:
        ideal = requests * latency_s / concurrency
        figures |= {
            "ideal_seconds": round(ideal, 3),
            "ratio_to_ideal": round(elapsed / ideal, 3),
            # Had each harness process a core to itself: its CPU time or the latency bound, whichever is more.
            "ratio_to_ideal_cpu_bound": round(max(cpu / processes, ideal) / ideal, 3),
        }
    return figures


def llm(count: int, concurrency: int, latency_s: float, repeats: int, processes: int = 1) -> dict[str, Any]:
    runs = llm_runs(count, concurrency, latency_s, repeats, processes)
    if latency_s > 0:
        return median_of(runs, "ratio_to_ideal", higher_is_better=False)
    return median_of(runs, "conversations_per_s")


REQUESTS_PER_CONVERSATION = 7  # what play_both_sides makes of a conversation: 3 visitor calls, 4 agent calls


def transport_floor(count: int, concurrency: int, latency_s: float, repeats: int) -> dict[str, Any]:
    """The traffic of (c) from a client that does nothing but send it — ``count`` conversations of 7 requests
    in a row, started through the same gate — against the same stub: what the stub, the transport, the
    ramp-up and 1,000 conversations in 256 slots cost before the harness adds anything."""
    body = json.dumps({"model": "stub-model", "messages": [{"role": "user", "content": "hi"}]}).encode()

    async def measure(url: str) -> list[float]:
        starts = StartGate(concurrency, latency_s)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

            async def conversation() -> None:
                async with starts:
                    for _ in range(REQUESTS_PER_CONVERSATION):
                        async with session.post(url, data=body, timeout=timeout) as response:
                            await response.read()

            async def batch(size: int) -> float:
                started = time.perf_counter()
                await asyncio.gather(*(conversation() for _ in range(size)))
                return time.perf_counter() - started

            await batch(concurrency)  # warm-up, as the harness's
            return [await batch(count) for _ in range(repeats)]

    with StubProcess(latency_s) as server, steady_heap():
        loads = [_load()]
        seconds = asyncio.run(measure(f"{server.base_url}/chat/completions"))
    ideal = count * REQUESTS_PER_CONVERSATION * latency_s / concurrency
    runs = [
        {"seconds": round(wall, 3), "ratio_to_ideal": round(wall / ideal, 3), "load_average_1m": loads[0]}
        for wall in seconds
    ]
    return median_of(runs, "ratio_to_ideal", higher_is_better=False) | {
        "conversations": count,
        "concurrency": concurrency,
        "requests_per_conversation": REQUESTS_PER_CONVERSATION,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Smaller batches; print, write nothing.")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "simulation_throughput.json"
    )
    parser.add_argument("--repeats", type=int, default=5, help="Runs per figure; the median is reported.")
    args = parser.parse_args()
    quick, repeats = args.quick, args.repeats
    measure: dict[str, Callable[[], dict[str, Any]]] = {
        "a_offline_simulate_and_evaluate": lambda: offline(4 if quick else 64, repeats),
        "b_llm_engines_zero_latency": lambda: llm(40 if quick else 200, 4, 0.0, repeats),
        "c_llm_engines_200ms_concurrency_256": lambda: llm(256 if quick else 1000, 256, LATENCY_S, repeats),
        # The floor under (c): the same traffic from a client that does nothing else.
        "c0_transport_floor_200ms_concurrency_256": lambda: transport_floor(
            256 if quick else 1000, 256, LATENCY_S, repeats
        ),
        # The same 256 in flight over two harness processes of 128: what the harness does with both cores.
        "c2_llm_engines_200ms_concurrency_256_two_processes": lambda: llm(
            256 if quick else 1000, 256, LATENCY_S, repeats, processes=2
        ),
    }
    results: dict[str, Any] = {
        "benchmark": "simulation_throughput",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "workers": WORKERS,
            "load_average_1m_at_start": _load(),  # the machine is shared: read figures with it
        },
        "repeats": repeats,
    }
    for name, run in measure.items():
        results[name] = run()
    results["machine"]["load_average_1m_after"] = _load()
    results["b_llm_engines_zero_latency"]["target_per_s"] = 20
    results["c_llm_engines_200ms_concurrency_256"]["target_ratio"] = 1.15
    print(json.dumps(results, indent=2))
    if not quick:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
