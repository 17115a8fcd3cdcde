"""``rehearsal ask``: a free question about conversations, answered with citations to the exact turns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table
from rich.text import Text

from rehearsal.analyst import AnalystError, CitedAnswer
from rehearsal.analyst.answer import DEFAULT_K, AnalystContext, answer, check_question
from rehearsal.analyst.service import MAX_K, chat_model_from, context_for, open_context
from rehearsal.analyst.sources import conversations_from_path, topics_from_folder
from rehearsal.cli import UserError, console
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

Backend = Literal["auto", "minilm", "lexical", "openai"]


def _context(
    corpus: str, run: str | None, topics: Path | None, embeddings: str | None, settings: Settings
) -> AnalystContext:
    """A stored corpus by name, or transcript files (de-identified on reading, never stored)."""
    stores = build_stores(settings)
    path = Path(corpus)
    if not path.exists():
        context, _ = open_context(
            corpus, stores, settings=settings, run_id=run, topics_dir=topics, embeddings=embeddings
        )
        return context
    context, _ = context_for(
        path.name.split(".")[0] or "transcripts",
        conversations_from_path(path),
        stores,
        settings=settings,
        topics=topics_from_folder(topics) if topics else None,
        run_id=run,
        embeddings=embeddings,
    )
    return context


def print_answer(result: CitedAnswer) -> None:
    # Citations and turn texts can look like markup tags ([id#3], [NAME_1]): printed as plain text.
    if result.low_evidence:
        console.print("[yellow]low evidence: read the answer as a lead, not a finding[/]")
    console.print(result.answer, markup=False, soft_wrap=True)
    if result.figures:
        table = Table("group", "count", "of", "rate", "value", title="figures")
        for figure in result.figures:
            rate = f"{figure.rate:.1%}" if figure.rate is not None else "—"
            value = f"{figure.value:.2f}" if figure.value is not None else "—"
            table.add_row(Text(figure.group), str(figure.count), str(figure.total), rate, value)
        console.print(table)
    if result.citations:
        table = Table("citation", "speaker", "outcome", "quoted turn", title="cited turns", show_lines=True)
        for citation in result.citations:
            table.add_row(Text(citation.id), citation.speaker, citation.outcome, Text(citation.quote))
        console.print(table)
    for claim in result.claims:
        if not claim.supported:
            console.print(f"unsupported (no valid citation): {claim.text}", style="yellow", markup=False)
    for rejected in result.rejected_citations:
        console.print(f"rejected citation (not in the evidence): [{rejected}]", style="red", markup=False)
    for note in result.notes:
        console.print(f"note: {note}", style="dim", markup=False)


def ask_command(
    question: Annotated[str, typer.Argument(help="A free question, e.g. 'why do customers escalate?'.")],
    *,
    corpus: Annotated[
        str,
        typer.Option(
            help="A stored corpus name, or a JSONL file or folder of transcripts (Conversation model)."
        ),
    ],
    run: Annotated[str | None, typer.Option(help="Also search this run's simulated transcripts.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=MAX_K, help="Conversations to retrieve.")] = DEFAULT_K,
    topics: Annotated[
        Path | None, typer.Option(help="Folder of `rehearsal insights topics` output (default: stored).")
    ] = None,
    embeddings: Annotated[Backend | None, typer.Option(help="Embedding backend (default: settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a free question about conversations, citing the exact turns."""
    settings = Settings()
    try:
        check_question(question)  # before any loading: a typo costs nothing
        context = _context(corpus, run, topics, embeddings, settings)
        result = answer(question, context, chat_model=chat_model_from(settings), k=k)
    except AnalystError as error:
        raise UserError(str(error)) from None
    if as_json:
        console.print_json(result.model_dump_json())
    else:
        print_answer(result)
