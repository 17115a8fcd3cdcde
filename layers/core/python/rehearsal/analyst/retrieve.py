"""Hybrid retrieval of turns (BM25 + k-NN through the SearchIndex port), grouped by conversation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rehearsal.analyst.classify import Plan
from rehearsal.analyst.indexing import turn_from_hit
from rehearsal.analyst.models import TurnRecord
from rehearsal.insights.embeddings import Embedder
from rehearsal.storage.ports import SearchIndex

PER_CONVERSATION = 2
"""Turns kept per conversation: a long thread must not crowd out the others."""
POOL_FACTOR = 4
MIN_FILTERED = 2
_AGENT_SPEAKERS = ["ai_agent", "human_agent"]


@dataclass(frozen=True)
class Retrieved:
    turn: TurnRecord
    score: float


def _filters(plan: Plan) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if plan.speaker == "customer":
        filters["speaker"] = "customer"
    elif plan.speaker == "agent":
        filters["speaker"] = _AGENT_SPEAKERS
    if plan.outcome is not None:
        filters["outcome"] = plan.outcome.value
    return filters


def _search(
    search: SearchIndex,
    indexes: Sequence[str],
    question: str,
    vector: list[float] | None,
    pool: int,
    filters: dict[str, Any],
) -> list[Retrieved]:
    found: list[Retrieved] = []
    for index in indexes:
        hits = search.search(index, text=question, vector=vector, k=pool, filters=filters or None)
        found.extend(Retrieved(turn_from_hit(hit), hit.score) for hit in hits)
    return sorted(found, key=lambda r: (-r.score, r.turn.id))


def _grouped(found: list[Retrieved], conversations: int) -> list[Retrieved]:
    kept: dict[str, list[Retrieved]] = {}
    for item in found:
        turns = kept.setdefault(item.turn.conversation_id, [])
        if len(turns) < PER_CONVERSATION:
            turns.append(item)
    best = list(kept.values())[:conversations]  # dicts keep insertion order: best conversation first
    return [item for turns in best for item in turns]


def retrieve(
    question: str,
    plan: Plan,
    *,
    search: SearchIndex,
    indexes: Sequence[str],
    embedder: Embedder,
    k: int,
) -> tuple[list[Retrieved], list[str]]:
    """The best turns of the ``k`` best conversations, and notes on how they were found.

    The question's speaker and outcome narrow the search; when that leaves too little, the search is
    repeated without them and a note says so."""
    # BM25 on the words that carry meaning ("say", "customers" would match half the corpus); the
    # embedding on the whole question, whose phrasing it understands.
    text = " ".join(plan.keywords) or question
    embedded = embedder.embed([question])[0].tolist()
    vector = embedded if any(embedded) else None  # words the embedder never saw: BM25 alone
    pool = POOL_FACTOR * k * PER_CONVERSATION
    filters = _filters(plan)
    found = _search(search, indexes, text, vector, pool, filters)
    notes: list[str] = []
    if filters and len({r.turn.conversation_id for r in found}) < MIN_FILTERED:
        described = ", ".join(f"{name}={value}" for name, value in filters.items())
        notes.append(f"too few turns with {described}: searched all turns instead")
        found = _search(search, indexes, text, vector, pool, {})
    elif filters:
        notes.append("searched turns with " + ", ".join(f"{n}={v}" for n, v in filters.items()))
    return _grouped(found, k), notes
