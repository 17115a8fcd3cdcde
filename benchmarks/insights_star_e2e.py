"""The whole insights path on STAR as a user runs it: ingest → topics → flows → draft-bundle → personas → run.

Each stage is the `rehearsal insights …` command; the drafted bundle is then rehearsed against the generated
suite (agenda visitors drawn from conversations the draft did not learn from, flow engine). Records how long
each stage took and the run's pass rate.

Run: .venv/bin/python benchmarks/insights_star_e2e.py [--data DIR] [--per-group 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.cli.run import execute_run
from rehearsal.evaluate.aggregate import RunAggregate
from rehearsal.pipeline.events import RunOptions
from rehearsal.settings import Settings


def _stage(runner: CliRunner, timings: dict[str, float], name: str, *args: str) -> str:
    started = time.perf_counter()
    result = runner.invoke(app, ["insights", *args])
    timings[name] = round(time.perf_counter() - started, 2)
    if result.exit_code != 0:
        raise SystemExit(f"{name} failed ({result.exit_code}):\n{result.output}")
    return result.output


def run(data: Path, work: Path, per_group: int) -> dict[str, Any]:
    os.environ["REHEARSAL_HOME"] = str(work / "home")
    os.environ["REHEARSAL_BACKEND"] = "local"
    runner = CliRunner()
    timings: dict[str, float] = {}
    flows, draft = work / "flows", work / "draft"
    _stage(
        runner,
        timings,
        "ingest",
        "ingest",
        str(data / "dialogues.jsonl.gz"),
        "--format",
        "star",
        "--name",
        "star",
    )
    _stage(
        runner, timings, "topics", "topics", "star", "--out", str(work / "topics"), "--embeddings", "lexical"
    )
    _stage(runner, timings, "flows", "flows", "star", "--out", str(flows), "--group-by", "task")
    _stage(
        runner, timings, "draft_bundle", "draft-bundle", "star", "--flows", str(flows), "--out", str(draft)
    )
    _stage(
        runner, timings, "personas", "personas", "star", "--flows", str(flows), "--out", str(draft),
        "--per-group", str(per_group),
    )  # fmt: skip
    started = time.perf_counter()
    _, outcome, stores = execute_run(
        str(draft / "bundle.yaml"),
        draft / "suite.yaml",
        Settings(),
        options=RunOptions(),
        show_progress=False,
    )
    timings["run"] = round(time.perf_counter() - started, 2)
    summary = outcome.aggregate
    aggregate = RunAggregate.model_validate_json(stores.blobs.get(summary.aggregate_key))
    return {
        "benchmark": "insights_star_e2e",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "seconds": timings,
        "items": summary.items,
        "verdicts": {
            "pass": summary.passed,
            "fail": summary.failed,
            "inconclusive": summary.inconclusive,
            "error": summary.errored,
        },
        "pass_rate": round(summary.pass_rate, 4),
        "pass_rate_95ci": [round(aggregate.pass_rate.low, 3), round(aggregate.pass_rate.high, 3)],
        "requirements_missed": {
            rid: f"{stat.rate.passed}/{stat.rate.total}"
            for rid, stat in sorted(aggregate.by_requirement.items())
            if stat.rate.passed < stat.rate.total
        },
        "gates_passed": outcome.gate.passed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/star")
    parser.add_argument("--per-group", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/insights_star_e2e.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        report = run(args.data, Path(work), args.per_group)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
