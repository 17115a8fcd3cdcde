"""``rehearsal bundle``: validate, push, list, get, diff, promote, roll back and split agent bundles.

References (``REF``) are a bundle file, ``name`` (its live version), ``name@live``, ``name@<label>`` or
``name@<version prefix>``.
"""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from rehearsal.bundles import BundleValidationError, load_bundle
from rehearsal.bundles.diff import BundleDiff, PathChange
from rehearsal.bundles.export import export_text
from rehearsal.bundles.store import BundleStore
from rehearsal.bundles.versioning import short
from rehearsal.cli import UserError, console
from rehearsal.cli.errors import user_errors
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

app = typer.Typer(
    name="bundle", help="Versioned agent bundles: validate, push, diff, promote.", no_args_is_help=True
)

_VALUE_WIDTH = 100
By = Annotated[str | None, typer.Option("--by", help="Who makes the change (default: the current user).")]
Reason = Annotated[str | None, typer.Option("--reason", help="Why, kept in the live history.")]


def bundle_store() -> BundleStore:
    stores = build_stores(Settings())
    return BundleStore(stores.blobs, stores.runs)


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Bundle files (YAML or JSON).")]) -> None:
    """Check bundle files; every problem is listed as file:line: path: message."""
    problems: list[str] = []
    for file in files:
        try:
            loaded = load_bundle(file)
        except BundleValidationError as error:
            problems += map(str, error.problems)
            continue
        console.print(f"[green]✓[/] {escape(str(file))}: {loaded.name}@{short(loaded.version)}")
    if problems:
        raise UserError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", problems)


@app.command()
def push(
    file: Annotated[Path, typer.Argument(help="The bundle file.")],
    label: Annotated[
        str | None, typer.Option("--label", "-l", help="Name this version (moves the label).")
    ] = None,
    promote: Annotated[bool, typer.Option("--promote", help="Make it live as well.")] = False,
    by: By = None,
) -> None:
    """Store a bundle version (the same content is the same version)."""
    with user_errors():
        store = bundle_store()
        ref = store.push(load_bundle(file), label=label)
        if promote:
            store.promote(ref.name, ref.version, by=_who(by), reason="pushed with --promote")
    state = "stored" if ref.created else "already stored"
    live = " (live)" if promote or ref.live else ""
    console.print(f"{state} {ref.name}@{ref.short}{live}  version {ref.version}", soft_wrap=True)


@app.command("list")
def list_(
    name: Annotated[str | None, typer.Argument(help="Bundle name; omit to list names.")] = None,
) -> None:
    """List stored bundle names, or the versions of one bundle."""
    with user_errors():
        store = bundle_store()
        if name is None:
            for stored in store.names():
                console.print(stored)
            return
        refs = store.list(name)
    table = Table(title=f"{name} versions")
    for column in ("version", "created", "labels", "live", "traffic"):
        table.add_column(column)
    for ref in refs:
        traffic = f"{ref.weight:.0%}" if ref.weight is not None else ""
        created = ref.created_at.strftime("%Y-%m-%d %H:%M:%S %Z")
        table.add_row(ref.short, created, ", ".join(ref.labels), "●" if ref.live else "", traffic)
    console.print(table)


@app.command()
def get(
    ref: Annotated[str, typer.Argument(help="What to get: name, name@live, name@label, name@version.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    fmt: Annotated[Literal["yaml", "json"], typer.Option("--format", help="Output format.")] = "yaml",
) -> None:
    """Print (or write) a stored bundle version, without its default values."""
    with user_errors():
        loaded = bundle_store().resolve(ref)
    text = export_text(loaded.bundle, fmt)
    if output is None:
        console.print(Syntax(text, fmt, theme="ansi_dark", background_color="default"))
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {loaded.name}@{short(loaded.version)} to {escape(str(output))}")


@app.command()
def diff(
    before: Annotated[str, typer.Argument(help="Old side: a file or a stored ref.")],
    after: Annotated[str, typer.Argument(help="New side: a file or a stored ref.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Show what changed between two bundles: added, removed and changed paths, and prose line diffs."""
    with user_errors():
        result = bundle_store().diff(before, after)
    if as_json:
        console.print_json(result.model_dump_json())
    else:
        print_diff(result)


def _without_empty(value: Any) -> Any:
    """Drop empty strings, lists and mappings: an added element reads as what it sets."""
    if isinstance(value, dict):
        kept = {key: _without_empty(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in ("", [], {}, None)}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value


def _compact(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(_without_empty(value), ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _change_line(change: PathChange) -> str:
    path = escape(change.path)
    if change.op == "added":
        return f"[green]+ {path}[/]: {escape(_compact(change.after))}"
    if change.op == "removed":
        return f"[red]- {path}[/]: {escape(_compact(change.before))}"
    return (
        f"[yellow]~ {path}[/]: {escape(_compact(change.before))} [dim]→[/] {escape(_compact(change.after))}"
    )


def _marked_words(words: str) -> str:
    """Colour ``[-removed-]`` red and ``{+added+}`` green; the markers stay for output without colour."""
    parts = re.split(r"(\[-.*?-\]|\{\+.*?\+\})", words)
    styled = []
    for part in parts:
        style = "red" if part.startswith("[-") else "green" if part.startswith("{+") else None
        styled.append(f"[{style}]{escape(part)}[/]" if style else escape(part))
    return "".join(styled)


def print_diff(result: BundleDiff) -> None:
    console.print(f"[bold]--- {escape(result.before)}[/]\n[bold]+++ {escape(result.after)}[/]")
    if result.identical:
        console.print("no changes")
        return
    prose = {text.path for text in result.text_diffs}
    for change in result.changes:
        if change.path in prose:
            console.print(
                f"[yellow]~ {escape(change.path)}[/]: text changed (line diff below)", soft_wrap=True
            )
        else:
            console.print(_change_line(change), soft_wrap=True)
    for text in result.text_diffs:
        if text.words:
            console.print(f"[bold]{escape(text.path)}[/]", soft_wrap=True)
            console.print(_marked_words(text.words))
        else:
            console.print(
                Syntax(text.unified, "diff", theme="ansi_dark", background_color="default", word_wrap=True)
            )
    counts = {op: len(result.paths(op)) for op in ("added", "removed", "changed")}
    console.print(", ".join(f"{count} {op}" for op, count in counts.items()))


@app.command()
def promote(
    name: Annotated[str, typer.Argument(help="Bundle name.")],
    version: Annotated[str, typer.Argument(help="A version prefix or a label.")],
    by: By = None,
    reason: Reason = None,
) -> None:
    """Make a version live."""
    with user_errors():
        ref = bundle_store().promote(name, version, by=_who(by), reason=reason)
    console.print(f"{ref.name}@{ref.short} is live")


@app.command()
def rollback(
    name: Annotated[str, typer.Argument(help="Bundle name.")], by: By = None, reason: Reason = None
) -> None:
    """Make the previous live version live again."""
    with user_errors():
        ref = bundle_store().rollback(name, by=_who(by), reason=reason)
    console.print(f"rolled back: {ref.name}@{ref.short} is live")


@app.command()
def history(name: Annotated[str, typer.Argument(help="Bundle name.")]) -> None:
    """Who made which version live, and when."""
    with user_errors():
        pointer = bundle_store().live_pointer(name)
    for event in pointer.history:
        why = f"  ({event.reason})" if event.reason else ""
        console.print(
            f"{event.at:%Y-%m-%d %H:%M:%S} {event.action:<8} {short(event.version)} by {event.by}{why}"
        )


def _weights(items: list[str]) -> dict[str, float]:
    pairs: dict[str, float] = {}
    for item in items:
        version, _, weight = item.partition("=")
        try:
            pairs[version] = float(weight)
        except ValueError:
            version = ""
        if not version:
            raise UserError(f"expected VERSION=WEIGHT, got {item!r}")
    return pairs


@app.command()
def split(
    name: Annotated[str, typer.Argument(help="Bundle name.")],
    weights: Annotated[
        list[str] | None, typer.Argument(help="VERSION=WEIGHT pairs, e.g. 3f2a=90 candidate=10.")
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the split: the live version serves all.")
    ] = False,
) -> None:
    """Split traffic between versions, sticky per conversation."""
    pairs = {} if clear else _weights(weights or [])
    if not pairs and not clear:
        raise UserError("give VERSION=WEIGHT pairs, or --clear")
    with user_errors():
        try:
            result = bundle_store().set_split(name, pairs, by=_who(None))
        except ValueError as error:  # pydantic: weights must be positive
            raise UserError(f"invalid split: {error}") from None
    if result is None:
        console.print(f"{name}: split removed")
        return
    for version, share in result.shares().items():
        console.print(f"{name}@{short(version)}: {share:.0%}")
