"""The transition graph of one group: steps as nodes, observed step-to-step transitions as counted edges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rehearsal.insights.flows.models import (
    END,
    START,
    FlowGraph,
    LabelledConversation,
    StepEdge,
    StepKind,
    StepNode,
)


@dataclass(frozen=True)
class GraphLimits:
    max_nodes: int | None = 40
    """Keep the most visited steps (plus START and END); transitions bridge over the dropped ones."""
    min_edge_count: int = 2
    min_edge_share: float = 0.02
    """Drop a transition taken by less than this share of its source step's departures."""


def walk(conversation: LabelledConversation, keep: set[str] | None = None) -> list[str]:
    """START, the conversation's steps (only those in `keep` when given), END."""
    steps = [step for step in conversation.steps if keep is None or step in keep]
    return [START, *steps, END]


def build_graph(
    group: str,
    conversations: Sequence[LabelledConversation],
    *,
    labels: Mapping[str, str],
    examples: Mapping[str, list[str]] | None = None,
    limits: GraphLimits = GraphLimits(),
) -> FlowGraph:
    visits: Counter[str] = Counter()
    reach: Counter[str] = Counter()
    kinds: dict[str, StepKind] = {START: StepKind.BOUNDARY, END: StepKind.BOUNDARY}
    for conversation in conversations:
        visits.update(conversation.steps)
        reach.update(set(conversation.steps))
        kinds.update({event.step: event.kind for event in conversation.events})
    keep = set(visits)
    if limits.max_nodes is not None:
        budget = max(limits.max_nodes - 2, 0)
        keep = {step for step, _ in sorted(visits.items(), key=lambda kv: (-kv[1], kv[0]))[:budget]}
    transitions: Counter[tuple[str, str]] = Counter()
    for conversation in conversations:
        path = walk(conversation, keep)
        transitions.update(pairwise(path))
    departures: Counter[str] = Counter()
    for (source, _), count in transitions.items():
        departures[source] += count
    edges = [
        StepEdge(from_=source, to=target, count=count)
        for (source, target), count in sorted(transitions.items(), key=lambda kv: (-kv[1], kv[0]))
        if count >= limits.min_edge_count and count >= limits.min_edge_share * departures[source]
    ]
    total = len(conversations)
    nodes = [
        StepNode(id=START, label="start", kind=StepKind.BOUNDARY, count=total, conversations=total),
        *(
            StepNode(
                id=step,
                label=labels.get(step, step),
                kind=kinds[step],
                count=visits[step],
                conversations=reach[step],
                examples=list((examples or {}).get(step, []))[:3],
            )
            for step in sorted(keep, key=lambda s: (-visits[s], s))
        ),
        StepNode(id=END, label="end", kind=StepKind.BOUNDARY, count=total, conversations=total),
    ]
    return FlowGraph(group=group, conversations=total, nodes=nodes, edges=edges)
