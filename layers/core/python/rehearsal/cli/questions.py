"""``rehearsal questions``: answer the yes/no questions low-confidence verdicts raised.

Each answer is stored, becomes a labelled example for that behaviour's detector, and the items whose
verdict rested on the answered turn are evaluated again — so the answer changes the verdict.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.panel import Panel

from rehearsal.cli import UserError, console
from rehearsal.evaluate.alignment import AlignmentQueue, Question, UnknownQuestionError
from rehearsal.pipeline.revaluation import reevaluate_answered
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores


def _show(question: Question) -> None:
    context = "\n".join(f"  [{turn.index}] {turn.role}: {turn.text}" for turn in question.context)
    body = (
        f"[bold]{question.question}[/]\n\n"
        f"turn {question.turn}: [italic]{question.text}[/]\n\n"
        f"context:\n{context}\n\n"
        f"detector said: {'yes' if question.detected else 'no'} (confidence {question.confidence:.2f})\n"
        f"rationale: {question.rationale}"
    )
    console.print(Panel(body, title=f"{question.behaviour_id} · {question.fingerprint[:12]}", expand=False))


def questions_command(
    list_only: Annotated[bool, typer.Option("--list", help="List the pending questions and exit.")] = False,
    answer: Annotated[
        tuple[str, str] | None,
        typer.Option(help="Answer one question non-interactively: FINGERPRINT yes|no.", metavar="FP ANSWER"),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Who answers (recorded).")] = None,
) -> None:
    """Answer pending yes/no questions; affected items are evaluated again."""
    stores = build_stores(Settings())
    queue = AlignmentQueue(stores.runs)
    answered: list[Question] = []
    if answer is not None:
        fingerprint, text = answer
        value = _yes_no(text)
        matches = [q for q in queue.pending() if q.fingerprint.startswith(fingerprint)]
        full = matches[0].fingerprint if len(matches) == 1 else fingerprint
        try:
            answered.append(queue.answer(full, value, by=by))
        except UnknownQuestionError as error:
            raise UserError(str(error)) from None
    else:
        pending = queue.pending()
        if not pending:
            console.print("no pending questions")
            return
        console.print(f"{len(pending)} pending question{'s' if len(pending) != 1 else ''}")
        for question in pending:
            _show(question)
            if list_only:
                continue
            reply = typer.prompt("yes / no / skip", default="skip")
            if reply.strip().lower() in {"s", "skip", ""}:
                continue
            answered.append(queue.answer(question.fingerprint, _yes_no(reply), by=by))
    if answered:
        changed = reevaluate_answered(answered, stores)
        for run_id, verdicts in changed.items():
            for item_id, (before, after) in verdicts.items():
                console.print(f"{run_id} {item_id}: {before} → {after}")
        console.print(f"{len(answered)} answer{'s' if len(answered) != 1 else ''} recorded")


def _yes_no(text: str) -> bool:
    value: Literal["yes", "no"] | None = {"y": "yes", "yes": "yes", "n": "no", "no": "no"}.get(  # type: ignore[assignment]
        text.strip().lower()
    )
    if value is None:
        raise UserError(f"answer {text!r} is not yes or no")
    return value == "yes"
