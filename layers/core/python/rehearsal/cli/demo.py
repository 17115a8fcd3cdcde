"""``rehearsal demo``: the rehearsal loop end to end on the example domain.

push v1 → rehearse → see what is red and why → push v2 → rehearse → compare with v1 → gates pass → promote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rehearsal.bundles.loader import load_bundle
from rehearsal.bundles.store import BundleStore
from rehearsal.cli import UserError, console
from rehearsal.cli.bundle import print_diff
from rehearsal.cli.outputs import build_report, print_run_summary, write_run_outputs
from rehearsal.cli.run import execute_run
from rehearsal.pipeline.events import RunOptions
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

_REPO_EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "acme_retail"


def _example_dir(given: Path | None) -> Path:
    for candidate in (given, Path("examples/acme_retail"), _REPO_EXAMPLE):
        if candidate is not None and (candidate / "suite.yaml").is_file():
            return candidate
    raise UserError("the example domain was not found: pass --example DIR (a folder with suite.yaml)")


def demo_command(
    example: Annotated[
        Path | None, typer.Option(help="Example folder (default: examples/acme_retail).")
    ] = None,
    trials: Annotated[int, typer.Option(min=1, help="Trials per scenario.")] = 4,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes.")] = None,
    home: Annotated[Path | None, typer.Option(help="Where the demo keeps its state.")] = None,
) -> None:
    """Rehearse the example agent's v1, fix it with v2, compare, gate and promote."""
    folder = _example_dir(example)
    settings = Settings(home=home) if home else Settings()
    stores = build_stores(settings)
    bundles = BundleStore(stores.blobs, stores.runs)
    suite = folder / "suite.yaml"
    v1_path, v2_path = folder / "bundle.v1.yaml", folder / "bundle.v2.yaml"

    console.rule("[bold]1 · push acme_retail v1")
    v1 = bundles.push(load_bundle(v1_path), label="v1")
    console.print(f"pushed {v1.name}@{v1.version[:12]} (label v1)")

    console.rule("[bold]2 · rehearse v1")
    planned_v1, outcome_v1, _ = execute_run(
        str(v1_path), suite, settings, options=RunOptions(trials=trials), workers=workers
    )
    report_v1 = build_report(planned_v1.request.run_id, stores)
    print_run_summary(report_v1)
    write_run_outputs(report_v1, stores)

    console.rule("[bold]3 · push v2 — what changed")
    v2 = bundles.push(load_bundle(v2_path), label="v2")
    print_diff(bundles.diff(v1_path, v2_path))
    console.print(f"pushed {v2.name}@{v2.version[:12]} (label v2)")

    console.rule("[bold]4 · rehearse v2, promote when the gates pass")
    planned_v2, outcome_v2, _ = execute_run(
        str(v2_path),
        suite,
        settings,
        options=RunOptions(trials=trials, promote_on_pass=True),
        workers=workers,
    )
    report_v2 = build_report(planned_v2.request.run_id, stores, compare_with=planned_v1.request.run_id)
    print_run_summary(report_v2)
    places = write_run_outputs(report_v2, stores)

    console.rule("[bold]5 · result")
    v1_state = "[red]failed[/]" if not outcome_v1.gate.passed else "[green]passed[/]"
    v2_state = "[green]passed[/]" if outcome_v2.gate.passed else "[red]failed[/]"
    console.print(f"v1 gates {v1_state}; v2 gates {v2_state}")
    if outcome_v2.promoted:
        console.print(f"promoted {v2.name}@{v2.version[:12]} to live")
    console.print("HTML report (v2, compared with v1):")
    console.print(places["report.html"], soft_wrap=True, markup=False, highlight=False)
    if outcome_v1.gate.passed or not outcome_v2.gate.passed:
        raise typer.Exit(1)
