"""Extractive answers: the most representative sentences of the retrieved turns, chosen by maximal marginal
relevance (relevant to the question, unlike each other), each quoted verbatim with its turn's citation."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rehearsal.analyst.classify import Plan
from rehearsal.analyst.models import Claim
from rehearsal.analyst.retrieve import Retrieved
from rehearsal.insights.embeddings import Embedder
from rehearsal.storage.analysis import analyze

MAX_CLAIMS = 5
MMR_LAMBDA = 0.7
MIN_WORDS = 3
RELATED_COSINE = 0.5
"""A sentence sharing no word with the question counts as evidence only above this similarity, and only
with a semantic embedder: a lexical space's similarity says nothing that shared words do not."""
FOCUS = 0.6
"""A sentence must carry this share of the best sentence's question words: "my delivery is late" beats
"change my delivery address" for "why are deliveries late?"."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Sentence:
    text: str
    turn_id: str
    conversation_id: str
    score: float


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def question_terms(plan: Plan) -> set[str]:
    """The terms that make a sentence on topic: the question's subject and metric words."""
    return set(analyze(" ".join(plan.keywords)))


def relevant(text: str, terms: set[str], cosine: float | None = None) -> bool:
    """On topic: shares a term with the question, or (given a semantic ``cosine``) is close to it."""
    return bool(terms & set(analyze(text))) or (cosine is not None and cosine >= RELATED_COSINE)


def _candidates(retrieved: Sequence[Retrieved]) -> list[Sentence]:
    """Sentences that can stand as a finding; an agent's question ("Who is your doctor?") tells nothing."""
    sentences: list[Sentence] = []
    for item in retrieved:
        asks = item.turn.speaker != "customer"
        for text in split_sentences(item.turn.text):
            if len(text.split()) >= MIN_WORDS and not (asks and text.endswith("?")):
                sentences.append(Sentence(text, item.turn.id, item.turn.conversation_id, item.score))
    return sentences


@dataclass(frozen=True)
class Selection:
    claims: list[Claim]
    conversations: set[str] = field(default_factory=set)
    """Every conversation with an on-topic sentence, quoted or not."""


def select_claims(
    question: str, plan: Plan, retrieved: Sequence[Retrieved], embedder: Embedder, *, limit: int = MAX_CLAIMS
) -> Selection:
    """Up to ``limit`` sentences by MMR, one per conversation while other conversations have some left."""
    candidates = _candidates(retrieved)
    if not candidates:
        return Selection([])
    vectors = embedder.embed([question, *(c.text for c in candidates)])
    query, rows = vectors[0], vectors[1:]
    cosine = rows @ query
    terms = question_terms(plan)
    coverage = [len(terms & set(analyze(c.text))) / max(len(terms), 1) for c in candidates]
    focus = FOCUS * max(coverage)
    semantic = embedder.family != "lexical"
    on_topic = [
        i
        for i, c in enumerate(candidates)
        if relevant(c.text, terms, float(cosine[i]) if semantic else None)
        and (coverage[i] >= focus or (semantic and cosine[i] >= RELATED_COSINE))
    ]
    relevance = {i: 0.5 * coverage[i] + 0.3 * float(cosine[i]) + 0.2 * candidates[i].score for i in on_topic}
    chosen: list[int] = []
    used: Counter[str] = Counter()
    while len(chosen) < limit and len(chosen) < len(on_topic):
        best, best_value = -1, -np.inf
        for i in on_topic:
            if i in chosen or any(candidates[i].text == candidates[j].text for j in chosen):
                continue
            redundancy = max((float(rows[i] @ rows[j]) for j in chosen), default=0.0)
            value = MMR_LAMBDA * relevance[i] - (1 - MMR_LAMBDA) * redundancy
            value -= used[candidates[i].conversation_id]  # spread over conversations first
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used[candidates[best].conversation_id] += 1
    return Selection(
        [Claim(text=candidates[i].text, citations=[candidates[i].turn_id]) for i in chosen],
        {candidates[i].conversation_id for i in on_topic},
    )
