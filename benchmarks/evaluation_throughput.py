"""Evaluation throughput: simulated conversations scored per second on one core.

Simulates the Acme Retail suite once against v1 and v2 of the example agent (flow engine, agenda visitor),
then times, over several rounds:
(a) compiling the behaviour definitions (once per run and process: detectors are trained here, not per item);
(b) evaluating the in-memory records (every check, behaviours, attribution) with cold text caches;
(c) the same with warm caches (what a run's later items see);
(d) what the evaluate stage does per item: parse the stored record JSON, evaluate, serialise the result.
The run target (≥ 200 conversations simulated and evaluated per second on 2 cores) leaves evaluation a budget
of about 10 ms per conversation per core.

Run: .venv/bin/python benchmarks/evaluation_throughput.py [--rounds 5] [--out FILE]
(default FILE: benchmarks/results/evaluation_throughput.json)
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rehearsal.bundles.loader import load_bundle
from rehearsal.bundles.schema import AgentBundle
from rehearsal.evaluate.behaviours import compile_behaviours, library, load_behaviours
from rehearsal.evaluate.behaviours.library import CompiledBehaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.simulate.driver import Simulator
from rehearsal.simulate.items import expand
from rehearsal.simulate.records import SimulationRecord
from rehearsal.simulate.specs.loading import load_suite
from rehearsal.simulate.specs.scenario import Scenario

EXAMPLE = Path(__file__).parents[1] / "examples" / "acme_retail"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "evaluation_throughput.json"
    )
    args = parser.parse_args()

    suite = load_suite(EXAMPLE / "suite.yaml")
    items = expand(suite)
    assert suite.behaviours_path is not None, "the example suite names its behaviours file"
    definitions = load_behaviours(suite.behaviours_path)
    cases = []
    for version in ("v1", "v2"):
        loaded = load_bundle(EXAMPLE / f"bundle.{version}.yaml")
        simulator = Simulator.for_bundle(loaded)
        cases += [(simulator.run(item), item.scenario, loaded.bundle) for item in items]
    stored = [(record.model_dump_json(), scenario, bundle) for record, scenario, bundle in cases]

    compile_s: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    stage: list[float] = []
    for _ in range(args.rounds):
        library._COMPILED.clear()  # a new process: nothing compiled, nothing cached
        started = time.perf_counter()
        behaviours = compile_behaviours(definitions)
        compile_s.append(time.perf_counter() - started)
        cold.append(_rate(functools.partial(_evaluate, cases, behaviours), len(cases)))
        warm.append(_rate(functools.partial(_evaluate, cases, behaviours), len(cases)))
        stage.append(_rate(functools.partial(_stage, stored, behaviours), len(stored)))
    result = {
        "benchmark": "evaluation_throughput",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "processor": platform.machine(), "cores_used": 1},
        "conversations": len(cases),
        "mean_turns": statistics.mean(len(r.conversation.turns) for r, _, _ in cases if r.conversation),
        "rounds": args.rounds,
        "compile_behaviours_ms": round(1000 * statistics.median(compile_s), 1),
        "evaluate_per_s_cold": round(statistics.median(cold)),
        "evaluate_per_s_warm": round(statistics.median(warm)),
        "parse_evaluate_serialise_per_s": round(statistics.median(stage)),
        "budget_per_s_for_target": 100,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _evaluate(
    cases: list[tuple[SimulationRecord, Scenario, AgentBundle]], behaviours: CompiledBehaviours
) -> None:
    for record, scenario, bundle in cases:
        evaluate_record(record, scenario, behaviours=behaviours, bundle=bundle)


def _stage(stored: list[tuple[str, Scenario, AgentBundle]], behaviours: CompiledBehaviours) -> None:
    """What the evaluate stage does per item, storage aside."""
    for text, scenario, bundle in stored:
        record = SimulationRecord.model_validate_json(text)
        evaluate_record(record, scenario, behaviours=behaviours, bundle=bundle).model_dump_json()


def _rate(work: Callable[[], None], count: int) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
