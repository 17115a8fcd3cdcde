"""An LLM composes the answer from the retrieved turns; its citations are then checked against the evidence
it was given. A citation of anything else is removed from the text and reported, and a statement left with
no valid citation is flagged as unsupported."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rehearsal.analyst.evidence import cited_ids
from rehearsal.analyst.models import CITATION, Claim
from rehearsal.analyst.retrieve import Retrieved
from rehearsal.llm.ports import ChatModel, Messages

MAX_TOKENS = 600
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(\-*])|\n+")
SYSTEM = (
    "You answer questions about customer-service conversations using only the evidence turns given. "
    "Each evidence turn starts with its id in square brackets. After every statement, cite the turns that "
    "support it with their ids in square brackets, exactly as given, e.g. [c12#3]. Cite nothing else. "
    "If the evidence does not answer the question, say so plainly. Be concise: at most five sentences."
)


@dataclass(frozen=True)
class Composed:
    text: str
    claims: list[Claim]
    rejected: list[str]


def messages_for(question: str, evidence: Sequence[Retrieved]) -> Messages:
    lines = [
        f"[{item.turn.id}] ({item.turn.speaker}; outcome {item.turn.outcome}) {item.turn.text}"
        for item in evidence
    ]
    user = f"Question: {question}\n\nEvidence turns:\n" + "\n".join(lines)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def validate_reply(reply: str, allowed: set[str]) -> Composed:
    """Strip citations outside ``allowed`` from ``reply``; split it into claims with what each cites."""
    rejected = [cited for cited in cited_ids(reply) if cited not in allowed]

    def keep(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1) in allowed else ""

    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", CITATION.sub(keep, reply)).strip()
    claims: list[Claim] = []
    for part in _SENTENCES.split(reply):
        if not part.strip():
            continue
        cited = cited_ids(part)
        valid = [c for c in cited if c in allowed]
        text = CITATION.sub("", part).strip()
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        if text:
            claims.append(Claim(text=text, citations=valid, supported=bool(valid)))
    return Composed(text=cleaned, claims=claims, rejected=list(dict.fromkeys(rejected)))


def compose(question: str, evidence: Sequence[Retrieved], model: ChatModel) -> Composed:
    """Raises the port's ``LLMError`` when the model cannot answer; the caller falls back."""
    completion = model.complete(messages_for(question, evidence), temperature=0.0, max_tokens=MAX_TOKENS)
    return validate_reply(completion.content or "", {item.turn.id for item in evidence})
