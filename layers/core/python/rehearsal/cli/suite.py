"""``rehearsal suite``: check a suite (against a bundle too) and play one scenario to read its transcript."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.markup import escape

from rehearsal.bundles.loader import LoadedBundle
from rehearsal.bundles.store import BundleStore
from rehearsal.cli import UserError, console
from rehearsal.cli.errors import user_errors
from rehearsal.settings import Settings
from rehearsal.simulate.driver import Simulator
from rehearsal.simulate.items import RunItem, expand
from rehearsal.simulate.records import SimulationRecord
from rehearsal.simulate.specs.bundle_check import validate_suite_against_bundle
from rehearsal.simulate.specs.loading import LoadedSuite, load_suite
from rehearsal.simulate.specs.persona import Persona
from rehearsal.simulate.specs.scenario import Scenario
from rehearsal.simulate.specs.suite import Suite, TurnTest
from rehearsal.storage.factory import build_stores

app = typer.Typer(name="suite", help="Check rehearsal suites and play their scenarios.", no_args_is_help=True)

SuiteArg = Annotated[Path, typer.Argument(help="The suite file (YAML).", show_default=False)]
BundleOption = Annotated[
    str | None,
    typer.Option("--bundle", "-b", help="A bundle file or stored ref; default: the suite's `bundle`."),
]


def _load(suite_path: Path, bundle_ref: str | None) -> tuple[LoadedSuite, LoadedBundle | None]:
    with user_errors(KeyError, FileNotFoundError):
        suite = load_suite(suite_path)
        ref = bundle_ref or (str(suite.bundle_path) if suite.bundle_path else None)
        if ref is None:
            return suite, None
        stores = build_stores(Settings())
        bundle = BundleStore(stores.blobs, stores.runs).resolve(ref)
        validate_suite_against_bundle(suite, bundle)
    return suite, bundle


@app.command("validate")
def validate_command(suite_path: SuiteArg, bundle_ref: BundleOption = None) -> None:
    """Check a suite and every file it names; with a bundle, check the tools, agents and world fields too."""
    suite, bundle = _load(suite_path, bundle_ref)
    spec = suite.suite
    items = len(expand(suite))
    console.print(
        f"[green]✔[/] suite [bold]{spec.name}[/]: {len(suite.scenarios)} scenarios, {len(suite.personas)} "
        f"personas, {len(suite.turn_tests)} turn tests → {items} items ({spec.trials} trials); "
        f"hash {suite.hash[:12]}"
    )
    if bundle is not None:
        console.print(
            f"[green]✔[/] matches bundle [bold]{bundle.bundle.metadata.name}[/]@{bundle.version[:12]}"
        )


@app.command("play")
def play_command(
    suite_path: SuiteArg,
    scenario: Annotated[str, typer.Argument(help="The scenario id.", show_default=False)],
    bundle_ref: BundleOption = None,
    variation: Annotated[int, typer.Option(help="Variation index.", min=0)] = 0,
    trial: Annotated[int, typer.Option(help="Trial index.", min=0)] = 0,
) -> None:
    """Simulate one item of a scenario with the agenda visitor and print the conversation."""
    suite, bundle = _load(suite_path, bundle_ref)
    if bundle is None:
        raise UserError("no bundle: pass --bundle or set `bundle` in the suite")
    item = _find_item(suite, scenario, variation, trial)
    record = Simulator.for_bundle(bundle).run(item, visitor_engine="agenda")
    print_record(record, item)


_SCHEMAS: dict[str, type[BaseModel]] = {
    "suite": Suite,
    "scenario": Scenario,
    "persona": Persona,
    "turn_test": TurnTest,
}


@app.command("schema")
def schema_command(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(_SCHEMAS)}.")] = "scenario",
) -> None:
    """Print the JSON Schema of a spec file, for editors that complete and check YAML."""
    model = _SCHEMAS.get(kind)
    if model is None:
        raise UserError(f"no spec kind {kind!r}", [f"kinds: {', '.join(_SCHEMAS)}"])
    console.print_json(json.dumps(model.model_json_schema()))


def _find_item(suite: LoadedSuite, scenario: str, variation: int, trial: int) -> RunItem:
    known = [s.id for s in suite.scenarios]
    if scenario not in known:
        raise UserError(f"no scenario {scenario!r} in {suite.path}", [f"scenarios: {', '.join(known)}"])
    count = max(variation + 1, suite.scenario(scenario).variations or suite.suite.variations.count)
    wanted = f"{scenario}/v{variation:03d}/t{trial:02d}"
    for item in expand(suite, trial + 1, variations=count):
        if item.item_id == wanted:
            return item
    raise UserError(f"no item {wanted}")  # unreachable with the counts above; kept as a guard


def print_record(record: SimulationRecord, item: RunItem) -> None:
    varied = item.variation
    console.print(
        f"[bold]{escape(record.item_id)}[/] seed {record.seed} · tone {varied.tone.value} · typos "
        f"{varied.typo_rate:.1%}" + (f" · toggled {varied.toggled}" if varied.toggled else "")
    )
    acts = {entry.turn: entry for entry in record.visitor_log}
    calls_by_turn: dict[int, list[str]] = {}
    for call in record.conversation.tool_calls if record.conversation else []:
        arguments = escape(json.dumps(call.arguments, ensure_ascii=False))
        calls_by_turn.setdefault(call.turn, []).append(f"{call.tool}({arguments}) → {call.status.value}")
    for turn in record.conversation.turns if record.conversation else []:
        speaker = "[cyan]visitor[/]" if turn.role == "customer" else "[green]agent[/]  "
        console.print(f"{turn.index:>3} {speaker} {escape(turn.text)}")
        if turn.index in acts:
            entry = acts[turn.index]
            names = ", ".join(act.type.value + (f"({act.slot})" if act.slot else "") for act in entry.acts)
            console.print(f"      [dim]{names}{' · ' + entry.mood.value if entry.mood else ''}[/]")
        for line in calls_by_turn.get(turn.index, []):
            console.print(f"      [dim]tool {line}[/]")
    ended = record.conversation.ended.value if record.conversation and record.conversation.ended else "—"
    console.print(f"visitor: [bold]{record.visitor_termination.value}[/] · agent ended: {ended}")
    for issue in record.simulator_issues:
        console.print(f"[yellow]simulator issue[/] {issue.kind}: {escape(issue.detail)}")
    for fault in record.faults:
        console.print(f"[magenta]fault[/] {fault.kind.value} on {fault.tool} (call {fault.call_index})")
    if record.error:
        console.print(f"[red]errored[/]\n{escape(record.error)}")
