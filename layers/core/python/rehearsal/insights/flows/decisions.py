"""Decision points (where conversations branch, and on what) and derail points (where they end badly)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from rehearsal.insights.conversation import Outcome
from rehearsal.insights.flows.models import (
    END,
    START,
    Branch,
    DecisionPoint,
    DerailPoint,
    FlowGraph,
    LabelledConversation,
    StepEvent,
    StepKind,
)

BAD_OUTCOMES = (Outcome.ESCALATED, Outcome.ABANDONED)
_WORD = re.compile(r"[a-z']+")
# Short answers decide many branches (yes/no), so they are kept even though they are stop words.
_ANSWERS = frozenset({"yes", "no", "not", "nope", "yeah", "ok", "okay", "sure", "thanks"})


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w in _ANSWERS or w not in ENGLISH_STOP_WORDS}


def _transitions(
    conversations: Sequence[LabelledConversation], keep: set[str]
) -> dict[str, list[tuple[str, StepEvent | None, StepEvent | None]]]:
    """Source step → (target step, source event, target event) for each transition among kept steps."""
    out: dict[str, list[tuple[str, StepEvent | None, StepEvent | None]]] = {}
    for conversation in conversations:
        events = [event for event in conversation.events if event.step in keep]
        chain: list[StepEvent | None] = [None, *events, None]
        names = [START, *(event.step for event in events), END]
        for i in range(len(names) - 1):
            out.setdefault(names[i], []).append((names[i + 1], chain[i], chain[i + 1]))
    return out


def decision_points(
    graph: FlowGraph,
    conversations: Sequence[LabelledConversation],
    *,
    min_share: float = 0.1,
    min_count: int = 3,
    max_cues: int = 5,
) -> list[DecisionPoint]:
    keep = {node.id for node in graph.nodes}
    transitions = _transitions(conversations, keep)
    points = []
    for node in graph.nodes:
        taken = transitions.get(node.id, [])
        counts = Counter(target for target, _, _ in taken)
        total = sum(counts.values())
        major = [t for t, n in counts.most_common() if n >= min_count and n >= min_share * total]
        if len(major) < 2:
            continue
        words = {t: Counter[str]() for t in major}
        results = {t: Counter[str]() for t in major}
        for target, source_event, target_event in taken:
            if target not in words:
                continue
            if target_event is not None:
                words[target].update(_words(target_event.customer_before))
            if source_event is not None and source_event.kind is StepKind.CALL and source_event.result:
                results[target][source_event.result] += 1
        cues = _distinctive(words, counts, max_cues)
        branches = [
            Branch(to=t, count=counts[t], share=counts[t] / total, cues=cues[t], results=dict(results[t]))
            for t in major
        ]
        points.append(
            DecisionPoint(step=node.id, count=total, branches=branches, driver=_driver(node.kind, results))
        )
    return points


def _distinctive(words: dict[str, Counter[str]], counts: Counter[str], limit: int) -> dict[str, list[str]]:
    """Per branch, the words whose smoothed log-odds against the other branches is highest."""
    vocabulary = set().union(*words.values())
    cues: dict[str, list[str]] = {}
    for target, counter in words.items():
        n_in = counts[target]
        n_out = sum(counts[t] for t in words if t != target)
        scored = []
        for word in vocabulary:
            inside = counter[word]
            outside = sum(words[t][word] for t in words if t != target)
            if inside < 2:
                continue
            score = math.log((inside + 0.5) / (n_in + 1)) - math.log((outside + 0.5) / (n_out + 1))
            if score > math.log(2):
                scored.append((score, word))
        cues[target] = [word for _, word in sorted(scored, key=lambda sw: (-sw[0], sw[1]))[:limit]]
    return cues


def _driver(kind: StepKind, results: dict[str, Counter[str]]) -> str:
    """`tool_result` when what a call returned mostly tells the branches apart, else `customer`."""
    if kind is not StepKind.CALL:
        return "customer"
    matched = sum(counter.most_common(1)[0][1] for counter in results.values() if counter)
    # Purity: how often a result signature picks its branch. One signature for every branch is no signal.
    by_signature: dict[str, Counter[str]] = {}
    for target, counter in results.items():
        for signature, n in counter.items():
            by_signature.setdefault(signature, Counter())[target] += n
    total = sum(sum(c.values()) for c in by_signature.values())
    purity = sum(c.most_common(1)[0][1] for c in by_signature.values()) / total if total else 0.0
    return "tool_result" if matched and len(by_signature) > 1 and purity >= 0.7 else "mixed"


_HANDOFF = re.compile(
    r"\b(?:transfer(?:ring)?|connect(?:ing)?|put(?:ting)?|pass(?:ing)?|hand(?:ing)?)\s+you\s+(?:through\s+)?"
    r"(?:to|with|over)\b|\b(?:escalat(?:e|ing)|raise)\s+(?:this|it|your case)\b",
    re.IGNORECASE,
)


def effective_outcome(conversation: LabelledConversation) -> Outcome:
    """The recorded outcome; when none was recorded, a last agent utterance handing over means escalated."""
    if conversation.outcome is not Outcome.UNKNOWN:
        return conversation.outcome
    said = [event.text for event in conversation.events if event.kind is StepKind.SAY]
    return Outcome.ESCALATED if said and _HANDOFF.search(said[-1]) else Outcome.UNKNOWN


def derail_points(
    graph: FlowGraph, conversations: Sequence[LabelledConversation], *, min_count: int = 2, examples: int = 3
) -> list[DerailPoint]:
    """The last step before escalations (hand-offs) and abandonments, with the rate at which visiting it
    ends so."""
    keep = {node.id for node in graph.nodes}
    reach: Counter[str] = Counter()
    ended: Counter[tuple[str, Outcome]] = Counter()
    cases: dict[tuple[str, Outcome], list[str]] = {}
    for conversation in conversations:
        steps = [step for step in conversation.steps if step in keep]
        reach.update(set(steps) | {START})
        outcome = effective_outcome(conversation)
        if outcome in BAD_OUTCOMES:
            key = (steps[-1] if steps else START, outcome)
            ended[key] += 1
            cases.setdefault(key, []).append(conversation.conversation_id)
    return [
        DerailPoint(
            step=step,
            outcome=outcome,
            count=n,
            rate=n / reach[step],
            examples=cases[(step, outcome)][:examples],
        )
        for (step, outcome), n in sorted(ended.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= min_count
    ]
