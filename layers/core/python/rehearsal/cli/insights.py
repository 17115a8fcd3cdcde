"""``rehearsal insights``: ingest transcripts, discover topics and flows, draft a bundle and personas.

One command per stage; each parses its options, calls one library function and prints a short summary.
Commands are grouped below by stage: ingest, topics (discovery), then flows, draft-bundle, personas, report.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer

from rehearsal.cli import UserError, console
from rehearsal.insights.corpus import CorpusError, save_corpus
from rehearsal.insights.embeddings import EmbeddingError
from rehearsal.insights.ingest import IngestError, QuarantineRecord, ingest_path
from rehearsal.insights.topics import TopicsError
from rehearsal.insights.topics.output import read_topic_model, write_topics
from rehearsal.insights.topics.service import load_items, run_assign, run_topics
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

app = typer.Typer(
    name="insights", help="Topics, flows, draft bundles and personas from transcripts.", no_args_is_help=True
)

Backend = Literal["auto", "minilm", "lexical", "openai"]
_SHOWN_PROBLEMS = 20


@contextmanager
def _user_errors() -> Iterator[None]:
    """Library errors caused by the input become readable messages, never tracebacks."""
    try:
        yield
    except (IngestError, CorpusError, TopicsError, EmbeddingError) as error:
        raise UserError(str(error)) from None


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
    with _user_errors():
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
    with _user_errors():
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
    with _user_errors():
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
