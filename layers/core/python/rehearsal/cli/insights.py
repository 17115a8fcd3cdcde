"""``rehearsal insights``: ingest transcripts, discover topics and flows, draft a bundle and personas.

One command per stage; each parses its options, calls one library function and prints a short summary.
Commands are grouped below by stage: ingest, topics (discovery), then flows, draft-bundle, personas, report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer

from rehearsal.cli import UserError, console
from rehearsal.cli.errors import user_errors
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.corpus import CorpusError, iter_corpus, save_corpus
from rehearsal.insights.draft import DraftError, draft_bundle, write_draft
from rehearsal.insights.embeddings import EmbeddingError
from rehearsal.insights.flows import (
    FlowDiscovery,
    FlowDiscoveryError,
    FlowSettings,
    GraphLimits,
    Labelling,
    discover_flows,
    write_flows,
)
from rehearsal.insights.flows.discover import FLOWS_FILE
from rehearsal.insights.flows.report import render_flows_section, render_page
from rehearsal.insights.flows.stage import topic_groups
from rehearsal.insights.ingest import IngestError, QuarantineRecord, ingest_path
from rehearsal.insights.personas import PersonaError, build_suite, write_suite
from rehearsal.insights.report_topics import render_topics_section
from rehearsal.insights.topics import TopicsError
from rehearsal.insights.topics.output import ASSIGNMENTS_FILE, read_topic_model, write_topics
from rehearsal.insights.topics.service import load_items, run_assign, run_topics
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

app = typer.Typer(
    name="insights", help="Topics, flows, draft bundles and personas from transcripts.", no_args_is_help=True
)

Backend = Literal["auto", "minilm", "lexical", "openai"]
_SHOWN_PROBLEMS = 20


_INPUT_ERRORS = (IngestError, CorpusError, TopicsError, EmbeddingError)
"""Library errors caused by the input: their message is the whole story."""


def _print_quarantine(records: Sequence[QuarantineRecord]) -> None:
    if not records:
        return
    console.print(f"[yellow]{len(records)} record(s) quarantined:[/]")
    for record in records[:_SHOWN_PROBLEMS]:
        console.print(f"  {record}", markup=False, soft_wrap=True)
    if len(records) > _SHOWN_PROBLEMS:
        console.print(f"  … and {len(records) - _SHOWN_PROBLEMS} more (see the corpus's quarantine.jsonl)")


# --- ingest -------------------------------------------------------------------------------------------------


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A file (or, for STAR, a folder) of transcripts.")],
    *,
    fmt: Annotated[
        Literal["jsonl", "csv", "star"],
        typer.Option("--format", help="jsonl (Conversation model), csv, star."),
    ] = "jsonl",
    name: Annotated[str | None, typer.Option(help="Corpus name (default: the file name's stem).")] = None,
) -> None:
    """Import transcripts, de-identify them, quarantine bad records, and store the corpus."""
    settings = Settings()
    with user_errors(*_INPUT_ERRORS):
        result = ingest_path(path, fmt)
        if not result.conversations:
            details = [str(record) for record in result.quarantined[:_SHOWN_PROBLEMS]]
            raise UserError(f"{path}: no conversation could be ingested", details)
        corpus = name or path.name.split(".")[0]
        manifest = save_corpus(build_stores(settings).blobs, corpus, result)
    console.print(
        f"ingested {manifest.conversations} conversation(s) into corpus [bold]{corpus}[/] "
        f"({len(manifest.shards)} shard(s)); placeholders: {manifest.placeholders or 'none'}"
    )
    _print_quarantine(result.quarantined)


# --- topics -------------------------------------------------------------------------------------------------


@app.command()
def topics(
    source: Annotated[str, typer.Argument(help="A corpus name, or a CSV of utterances (text, optional id).")],
    *,
    out: Annotated[Path, typer.Option(help="Folder for topics.json and assignments.jsonl.")],
    embeddings: Annotated[Backend | None, typer.Option(help="Embedding backend (default: settings).")] = None,
    text_column: Annotated[str, typer.Option(help="CSV column with the utterance.")] = "text",
    id_column: Annotated[str, typer.Option(help="CSV column with the id (else the row number).")] = "id",
    cohesion: Annotated[float | None, typer.Option(min=0.01, max=2.0, help="Override the tuned cut.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for sampling on large corpora.")] = 0,
) -> None:
    """Discover topics with their number unknown; label, measure and rank them for automation."""
    settings = Settings()
    stores = build_stores(settings)
    with user_errors(*_INPUT_ERRORS):
        items, quarantined = load_items(source, stores.blobs, text_column=text_column, id_column=id_column)
        run = run_topics(
            items,
            settings=settings,
            blobs=stores.blobs,
            search=getattr(stores, "search", None),
            backend=embeddings,
            cohesion=cohesion,
            seed=seed,
        )
    topics_path, assignments_path = write_topics(out, run.model, run.assignments)
    console.print(
        f"{len(run.model.topics)} topic(s) from {len(items)} item(s) with {run.model.embedder}; "
        f"wrote {topics_path} and {assignments_path}"
    )
    for opportunity in run.model.opportunities[:5]:
        console.print(
            f"  #{opportunity.rank} {opportunity.label}: {opportunity.volume} items, "
            f"readiness {opportunity.readiness:.2f}, containment {opportunity.estimated_containment:.0%}",
            markup=False,
        )
    _print_quarantine(quarantined)


@app.command()
def assign(
    source: Annotated[str, typer.Argument(help="New data: a corpus name or a CSV of utterances.")],
    *,
    topics_dir: Annotated[Path, typer.Option("--topics", help="Folder (or file) of an earlier topics.json.")],
    out: Annotated[Path, typer.Option(help="Folder for the updated topics.json and the new assignments.")],
    text_column: Annotated[str, typer.Option(help="CSV column with the utterance.")] = "text",
    id_column: Annotated[str, typer.Option(help="CSV column with the id (else the row number).")] = "id",
    min_new_topic_size: Annotated[int, typer.Option(min=2, help="Novel items needed for a new topic.")] = 5,
) -> None:
    """Assign new data to existing topics; enough novel look-alikes form new topics."""
    settings = Settings()
    stores = build_stores(settings)
    with user_errors(*_INPUT_ERRORS):
        model = read_topic_model(topics_dir)
        items, quarantined = load_items(source, stores.blobs, text_column=text_column, id_column=id_column)
        run = run_assign(
            model, items, settings=settings, blobs=stores.blobs, min_new_topic_size=min_new_topic_size
        )
    write_topics(out, run.model, run.assignments)
    novel = sum(1 for a in run.assignments if a.topic < 0)
    added = len(run.model.topics) - len(model.topics)
    console.print(
        f"assigned {len(items)} item(s): {novel} novel (pending), {added} new topic(s); wrote {out}"
    )
    _print_quarantine(quarantined)


# --- flows, draft-bundle, personas, report ------------------------------------------------------------------


@contextmanager
def _flow_errors() -> Iterator[None]:
    try:
        yield
    except (CorpusError, FlowDiscoveryError, DraftError, PersonaError, TopicsError) as error:
        raise UserError(str(error)) from None


def stored_conversations(source: str, settings: Settings) -> list[Conversation]:
    """A stored, de-identified corpus (``insights ingest``), for the commands that read one."""
    return list(iter_corpus(build_stores(settings).blobs, source))


def topic_groups_of(topics_dir: Path) -> dict[str, str]:
    """Conversation id → topic group, from a topics run folder (topics.json and assignments.jsonl)."""
    model = read_topic_model(topics_dir)
    path = (topics_dir if topics_dir.is_dir() else topics_dir.parent) / ASSIGNMENTS_FILE
    try:
        lines = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: not found; run `rehearsal insights topics` first") from None
    return topic_groups(lines, model, source=str(path))


def _grouping(group_by: str | None, topics_dir: Path | None) -> str | dict[str, str] | None:
    if group_by and topics_dir:
        raise UserError("give either --group-by or --topics, not both")
    return topic_groups_of(topics_dir) if topics_dir else group_by


def _read_flows(flows_dir: Path) -> FlowDiscovery:
    path = flows_dir / FLOWS_FILE if flows_dir.is_dir() else flows_dir
    try:
        return FlowDiscovery.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: not found; run `rehearsal insights flows` first") from None
    except ValueError as error:
        raise UserError(f"{path}: not a flows file ({error.__class__.__name__})") from None


def _grouping_of(discovery: FlowDiscovery, topics_dir: Path | None) -> str | dict[str, str] | None:
    """The grouping flows were discovered with, so that drafts and personas see the same groups."""
    if discovery.grouped_by.startswith("metadata."):
        return discovery.grouped_by.removeprefix("metadata.")
    if discovery.grouped_by == "topic":
        if topics_dir is None:
            raise UserError("these flows are grouped by topic: give the same --topics folder")
        return topic_groups_of(topics_dir)
    return None


GroupBy = Annotated[str | None, typer.Option("--group-by", help="Metadata field to group by (e.g. task).")]
TopicsDir = Annotated[Path | None, typer.Option("--topics", help="A topics run folder: group by topic.")]
FlowsDir = Annotated[Path, typer.Option("--flows", help="Folder (or flows.json) of a flows run.")]
Groups = Annotated[list[str] | None, typer.Option("--group", help="A group to include (repeatable).")]


@app.command()
def flows(
    source: Annotated[str, typer.Argument(help="A corpus name (see `insights ingest`).")],
    *,
    out: Annotated[Path, typer.Option(help="Folder for one graph JSON per group and flows.json.")],
    group_by: GroupBy = None,
    topics_dir: TopicsDir = None,
    labels: Annotated[
        Labelling, typer.Option(help="Step labels: given, clustered, or auto.")
    ] = Labelling.AUTO,
    max_nodes: Annotated[
        int, typer.Option(min=3, help="Steps kept per graph (START and END included).")
    ] = 40,
) -> None:
    """Discover steps, transition graphs, paths, decision and derail points, tools and sub-agents."""
    settings = Settings()
    with _flow_errors():
        grouping = _grouping(group_by, topics_dir)
        conversations = stored_conversations(source, settings)
        discovery = discover_flows(
            conversations,
            group_by=grouping,
            settings=FlowSettings(labelling=labels, limits=GraphLimits(max_nodes=max_nodes)),
        )
    written = write_flows(discovery, out)
    console.print(
        f"{len(discovery.groups)} group(s) from {len(conversations)} conversation(s), "
        f"{len(discovery.tools)} tool(s), {len(discovery.skills)} suggested sub-agent(s); "
        f"wrote {len(written)} file(s) to {out}"
    )
    for group in discovery.groups:
        console.print(
            f"  {group.group}: {len(group.graph.nodes) - 2} steps, {len(group.graph.edges)} transitions"
            + (f", next step predictable {group.predictability:.0%}" if group.predictability else "")
            + f"; main path {' → '.join(group.main_path) or '—'}",
            markup=False,
            soft_wrap=True,
        )
    if discovery.skipped:
        console.print(f"  skipped (too few conversations): {', '.join(discovery.skipped)}", markup=False)


@app.command("draft-bundle")
def draft_bundle_command(
    source: Annotated[str, typer.Argument(help="The corpus the flows were discovered in.")],
    *,
    flows_dir: FlowsDir,
    out: Annotated[Path, typer.Option(help="Folder for bundle.yaml, draft_tools.py and world.json.")],
    group: Groups = None,
    topics_dir: TopicsDir = None,
    name: Annotated[str, typer.Option(help="Bundle name.")] = "draft",
) -> None:
    """Export a draft agent bundle for the chosen groups (all by default)."""
    settings = Settings()
    discovery = _read_flows(flows_dir)
    with _flow_errors():
        draft = draft_bundle(
            discovery,
            stored_conversations(source, settings),
            group_by=_grouping_of(discovery, topics_dir),
            groups=group,
            name=name,
        )
    paths = write_draft(draft, out)
    agent = draft.bundle.agents[0]
    console.print(
        f"drafted {draft.bundle.metadata.name}: {len(agent.intents)} intent(s), {len(agent.flows)} flow(s), "
        f"{len(draft.bundle.tools)} tool(s); wrote {', '.join(str(p) for p in paths)}"
    )


@app.command()
def personas(
    source: Annotated[str, typer.Argument(help="The corpus the flows were discovered in.")],
    *,
    flows_dir: FlowsDir,
    out: Annotated[Path, typer.Option(help="Folder for suite.yaml.")],
    group: Groups = None,
    topics_dir: TopicsDir = None,
    per_group: Annotated[int, typer.Option(min=1, max=1000, help="Scenarios per group.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed for sampling conversations.")] = 0,
    bundle_dir: Annotated[
        Path | None, typer.Option(help="Folder of the draft bundle (default: --out) the suite runs against.")
    ] = None,
) -> None:
    """Generate personas and scenarios from de-identified conversations, as a rehearsal suite."""
    settings = Settings()
    discovery = _read_flows(flows_dir)
    bundle_folder = bundle_dir or out
    with _flow_errors():
        suite = build_suite(
            stored_conversations(source, settings),
            discovery,
            group_by=_grouping_of(discovery, topics_dir),
            groups=group,
            per_group=per_group,
            seed=seed,
            bundle=os.path.relpath(bundle_folder / "bundle.yaml", out),
            world=os.path.relpath(bundle_folder / "world.json", out),
        )
    path = write_suite(suite, out)
    console.print(f"wrote {len(suite.scenarios)} scenario(s) and {len(suite.personas)} persona(s) to {path}")


@app.command()
def report(
    *,
    flows_dir: FlowsDir,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("insights.html"),
    title: Annotated[str, typer.Option(help="Page title.")] = "Insights",
    topics_dir: Annotated[
        Path | None, typer.Option("--topics", help="A topics --out folder to include.")
    ] = None,
) -> None:
    """Write the HTML insights report: topic charts and opportunities, flow graphs as diagrams."""
    discovery = _read_flows(flows_dir)
    sections = [render_flows_section(discovery)]
    if topics_dir is not None:
        with user_errors(*_INPUT_ERRORS):
            sections.insert(0, render_topics_section(read_topic_model(topics_dir)))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_page(title, sections), encoding="utf-8")
    console.print(f"wrote {out}")
