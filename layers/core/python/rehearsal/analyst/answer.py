"""``answer``: a free question in, a cited answer out.

Aggregate questions are computed from the corpus, "what changed" ones from the monitor's anomalies; evidential
ones are answered from retrieved turns,
extractively, or by a chat model when one is given (its citations validated, the extractive answer as the
fallback). Too little evidence is said, never papered over.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rehearsal.analyst.aggregate import aggregate_answer
from rehearsal.analyst.changes import changes_answer
from rehearsal.analyst.classify import Plan, classify
from rehearsal.analyst.compose import compose
from rehearsal.analyst.evidence import TurnBook
from rehearsal.analyst.extractive import select_claims
from rehearsal.analyst.models import AnalystError, AnswerKind, CitedAnswer, Claim, Composer
from rehearsal.analyst.retrieve import Retrieved, retrieve
from rehearsal.analyst.turns import TopicOf
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.embeddings import Embedder
from rehearsal.llm.ports import ChatModel, LLMError
from rehearsal.storage.ports import SearchIndex

DEFAULT_K = 8
MIN_EVIDENCE = 2
"""Conversations with an on-topic sentence needed before an evidential answer goes without a warning."""
MAX_QUESTION = 2000


@dataclass
class AnalystContext:
    """What a question is answered from: the corpus, its topics, its indexed turns and the embedder."""

    corpus: str
    conversations: Sequence[Conversation]
    book: TurnBook
    search: SearchIndex
    indexes: list[str]
    embedder: Embedder
    topics: TopicOf = field(default_factory=dict)


def check_question(question: str) -> str:
    text = " ".join(question.split())
    if not text:
        raise AnalystError("question: empty; ask something, e.g. 'why do customers escalate?'")
    if len(text) > MAX_QUESTION:
        raise AnalystError(f"question: {len(text)} characters, at most {MAX_QUESTION}")
    return text


def _outcome_summary(retrieved: Sequence[Retrieved], conversations: set[str]) -> str:
    outcomes: dict[str, str] = {}
    for item in retrieved:
        if item.turn.conversation_id in conversations:
            outcomes.setdefault(item.turn.conversation_id, item.turn.outcome)
    counts = Counter(outcomes.values())
    parts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items(), key=lambda p: (-p[1], p[0])))
    return f"{len(outcomes)} conversation(s) found ({parts})"


def _extractive_text(claims: Sequence[Claim], retrieved: Sequence[Retrieved], conversations: set[str]) -> str:
    lines = [_outcome_summary(retrieved, conversations) + "; what they say:"]
    lines += [f"- “{claim.text}” " + " ".join(f"[{c}]" for c in claim.citations) for claim in claims]
    return "\n".join(lines)


def _evidential(
    question: str, plan: Plan, context: AnalystContext, chat_model: ChatModel | None, k: int
) -> CitedAnswer:
    retrieved, notes = retrieve(
        question, plan, search=context.search, indexes=context.indexes, embedder=context.embedder, k=k
    )
    retrieved = [item for item in retrieved if item.turn.id in context.book]  # the index may outlive a turn
    selection = select_claims(question, plan, retrieved, context.embedder)
    claims, drawn_on = selection.claims, selection.conversations
    low = len(drawn_on) < MIN_EVIDENCE
    if not claims:
        return CitedAnswer(
            question=question,
            kind=AnswerKind.EVIDENTIAL,
            composer=Composer.EXTRACTIVE,
            answer="Not enough evidence: no conversation turn speaks to this question.",
            low_evidence=True,
            notes=notes,
        )
    text = _extractive_text(claims, retrieved, drawn_on)
    composer, rejected = Composer.EXTRACTIVE, []
    if chat_model is not None:
        try:
            composed = compose(question, retrieved, chat_model)
        except LLMError as error:
            notes.append(f"the chat model failed ({type(error).__name__}): extractive answer shown")
        else:
            rejected = composed.rejected
            if rejected:
                notes.append(f"removed {len(rejected)} citation(s) of turns the model was not given")
            if any(claim.citations for claim in composed.claims):
                text, claims, composer = composed.text, composed.claims, Composer.LLM
            else:
                notes.append("the model's answer cited no evidence: extractive answer shown")
    if low:
        text = "Little evidence: only one conversation speaks to this question.\n" + text
    return CitedAnswer(
        question=question,
        kind=AnswerKind.EVIDENTIAL,
        composer=composer,
        answer=text,
        claims=claims,
        citations=context.book.citations(c for claim in claims for c in claim.citations),
        conversations=len(drawn_on),
        low_evidence=low,
        rejected_citations=rejected,
        notes=notes,
    )


def answer(
    question: str, context: AnalystContext, *, chat_model: ChatModel | None = None, k: int = DEFAULT_K
) -> CitedAnswer:
    """Answer ``question`` from ``context``; every citation names a real turn and quotes it verbatim."""
    text = check_question(question)
    if k < 1:
        raise AnalystError(f"k: must be at least 1, got {k}")
    plan = classify(text)
    if plan.changes:
        conversations, topics, book = context.conversations, context.topics, context.book
        return changes_answer(text, conversations, topics, book, source=context.corpus)
    if plan.aggregate:
        return aggregate_answer(text, plan, context.conversations, context.topics, context.book)
    return _evidential(text, plan, context, chat_model, k)
