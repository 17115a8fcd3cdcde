"""``rehearsal run``: a bundle version × a suite × trials, simulated, evaluated, aggregated and gated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rehearsal.bundles.store import BundleStore
from rehearsal.cli import UserError, console
from rehearsal.cli.diffview import print_transcript_diff
from rehearsal.cli.errors import user_errors
from rehearsal.cli.outputs import build_report, print_run_summary, write_run_outputs
from rehearsal.evaluate.compare import transcript_diff
from rehearsal.evaluate.gates import GatePolicy, evaluate_gates
from rehearsal.pipeline.archive import RunArchive
from rehearsal.pipeline.events import PrepareResult, RunOptions
from rehearsal.pipeline.orchestrator import LocalRunOutcome, run_local
from rehearsal.pipeline.planning import PlannedRun, plan_run
from rehearsal.pipeline.reporting import AUTO, load_conversation
from rehearsal.pipeline.stages import gate_policy, load_aggregate
from rehearsal.settings import Settings
from rehearsal.simulate.specs.loading import load_suite
from rehearsal.storage.factory import Stores, build_stores
from rehearsal.storage.ports import NotFound


def execute_run(
    bundle_ref: str,
    suite_path: Path,
    settings: Settings,
    *,
    options: RunOptions,
    gates_path: Path | None = None,
    run_id: str | None = None,
    workers: int | None = None,
    show_progress: bool = True,
) -> tuple[PlannedRun, LocalRunOutcome, Stores]:
    """Plan and run locally with a progress bar; user mistakes become ``UserError``."""
    stores = build_stores(settings)
    with user_errors(KeyError, FileNotFoundError):
        bundle = BundleStore(stores.blobs, stores.runs).resolve(bundle_ref)
        suite = load_suite(suite_path)
        gates = GatePolicy.load(gates_path) if gates_path else None
        planned = plan_run(bundle, suite, stores, options=options, gates=gates, run_id=run_id)

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[tally]}"),
        TimeElapsedColumn(),
        console=console,
        disable=not show_progress,
        transient=True,
    ) as progress:
        task = progress.add_task(f"rehearsing {planned.bundle.name}", total=None, tally="")
        tally: dict[str, int] = {}

        def on_prepared(prepared: PrepareResult, done: int) -> None:
            progress.update(task, total=prepared.item_count, completed=done)
            if done:
                console.print(
                    f"resuming run {prepared.run_id}: {done} of {prepared.item_count} items already done"
                )

        def on_item(done: int, total: int, verdict: str) -> None:
            tally[verdict] = tally.get(verdict, 0) + 1
            summary = " ".join(f"{name}={count}" for name, count in sorted(tally.items()))
            progress.update(task, completed=done, total=total, tally=summary)

        outcome = run_local(
            planned.request, settings, workers=workers, progress=on_item, on_prepared=on_prepared
        )
    return planned, outcome, stores


def run_command(
    bundle: Annotated[
        str, typer.Argument(help="A bundle file, or a stored ref: name@version, name@live, name@label.")
    ],
    suite: Annotated[Path, typer.Option("--suite", "-s", help="The suite file (YAML).")],
    trials: Annotated[
        int | None, typer.Option(min=1, help="Trials per scenario variation (default: the suite's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed for every random choice (default: the suite's).")
    ] = None,
    gates: Annotated[Path | None, typer.Option(help="Gate policy (YAML); default: the suite's.")] = None,
    engine: Annotated[
        Literal["flow", "llm"] | None, typer.Option(help="Agent engine (default: bundle's).")
    ] = None,
    visitor: Annotated[Literal["agenda", "llm"], typer.Option(help="Visitor engine.")] = "agenda",
    concurrency: Annotated[int, typer.Option(min=1, help="Concurrent conversations for LLM engines.")] = 64,
    ramp_up: Annotated[
        float,
        typer.Option(
            min=0, help="LLM engines: spread the first conversations' starts over this many seconds."
        ),
    ] = 0.0,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes for offline engines.")] = None,
    run_id: Annotated[str | None, typer.Option(help="Resume this run (or name a new one).")] = None,
    promote: Annotated[
        bool, typer.Option(help="Promote the bundle version to live when the gates pass.")
    ] = False,
    tools: Annotated[
        list[Path] | None, typer.Option(help="Folder of python tool modules (default: bundle's, suite's).")
    ] = None,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the run as JSON here.")] = None,
    html: Annotated[
        Path | None, typer.Option(help="Write the HTML report here (default: in the archive).")
    ] = None,
) -> None:
    """Rehearse a bundle against a suite. Exits 1 when the gates fail."""
    settings = Settings()
    options = RunOptions(
        trials=trials,
        seed=seed,
        agent_engine=engine,
        visitor_engine=visitor,
        max_concurrency=concurrency,
        ramp_up_s=ramp_up,
        promote_on_pass=promote,
        tool_search_paths=[str(folder.resolve()) for folder in tools or []],
    )
    planned, outcome, stores = execute_run(
        bundle, suite, settings, options=options, gates_path=gates, run_id=run_id, workers=workers
    )
    report = build_report(planned.request.run_id, stores)
    print_run_summary(report)
    places = write_run_outputs(report, stores, junit=junit, json_path=json_out, html=html)
    console.print(f"report: {places['report.html']}", soft_wrap=True)
    if not outcome.gate.passed:
        raise typer.Exit(1)


def _stores() -> Stores:
    return build_stores(Settings())


def _known_run(run_id: str, stores: Stores) -> None:
    try:
        RunArchive(stores).get_run(run_id)
    except NotFound:
        raise UserError(f"no run {run_id!r} in {Settings().home}") from None


def report_command(
    run_id: Annotated[str, typer.Argument(help="The run to report.")],
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the run as JSON here.")] = None,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    compare_with: Annotated[
        str | None,
        typer.Option("--compare-with", help="Another run to compare with (default: its baseline)."),
    ] = None,
) -> None:
    """Print a run's summary and write its reports."""
    stores = _stores()
    _known_run(run_id, stores)
    if compare_with:
        _known_run(compare_with, stores)
    report = build_report(run_id, stores, compare_with=compare_with or AUTO)
    print_run_summary(report)
    places = write_run_outputs(report, stores, junit=junit, json_path=json_out, html=html)
    console.print(f"report: {places['report.html']}", soft_wrap=True)


def compare_command(
    baseline: Annotated[str, typer.Argument(help="The earlier run.")],
    candidate: Annotated[str, typer.Argument(help="The later run.")],
    item: Annotated[str | None, typer.Option(help="Show this item's transcripts side by side.")] = None,
) -> None:
    """Scenarios improved, regressed and flaky; requirement deltas; a transcript diff for one item."""
    stores = _stores()
    for run_id in (baseline, candidate):
        _known_run(run_id, stores)
    report = build_report(candidate, stores, compare_with=baseline)
    print_run_summary(report)
    if item is not None:
        rows = transcript_diff(
            load_conversation(baseline, item, stores), load_conversation(candidate, item, stores)
        )
        if not rows:
            raise UserError(f"item {item!r} has no transcript in either run")
        print_transcript_diff(rows, baseline, candidate)


def gate_command(
    run_id: Annotated[str, typer.Argument(help="The run to gate.")],
    gates: Annotated[
        Path | None, typer.Option(help="Another gate policy (YAML) to judge the run by.")
    ] = None,
) -> None:
    """Judge a finished run by its gate policy (or another); exits 1 when a gate fails."""
    stores = _stores()
    _known_run(run_id, stores)
    archive = RunArchive(stores)
    with user_errors():
        policy = GatePolicy.load(gates) if gates else (gate_policy(run_id, stores) or GatePolicy())
    record = archive.get_run(run_id)
    baseline_id = record.gate.baseline_run_id if record.gate else None
    baseline = load_aggregate(baseline_id, stores) if baseline_id else None
    decision = evaluate_gates(load_aggregate(run_id, stores), policy, baseline)
    colour = "green" if decision.passed else "red"
    console.print(f"[bold {colour}]gates {'passed' if decision.passed else 'failed'}[/] for {run_id}")
    for reason in decision.reasons:
        console.print(f"  - {reason}", markup=False)
    if not decision.passed:
        raise typer.Exit(1)
