"""Dominant paths: the most frequent step sequences, and the main path through the graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import groupby

from rehearsal.insights.flows.models import END, START, FlowGraph, LabelledConversation, PathVariant


def collapse(steps: Sequence[str]) -> list[str]:
    """Repeated consecutive steps (an agent asking twice) count once in a path."""
    return [step for step, _ in groupby(steps)]


def dominant_paths(
    conversations: Sequence[LabelledConversation], *, top: int = 5, keep: set[str] | None = None
) -> list[PathVariant]:
    """The most frequent whole-conversation step sequences, restricted to `keep` steps when given."""
    variants = Counter(
        tuple(collapse([s for s in c.steps if keep is None or s in keep])) for c in conversations
    )
    total = len(conversations) or 1
    return [
        PathVariant(steps=list(steps), count=count, share=count / total)
        for steps, count in sorted(variants.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]


def main_path(graph: FlowGraph, *, max_length: int = 50) -> list[str]:
    """From START, follow the most taken transition to a step not yet on the path, until END."""
    path = [START]
    while path[-1] != END and len(path) < max_length:
        options = [edge.to for edge in graph.successors(path[-1]) if edge.to not in path]
        if not options:
            break
        path.append(options[0])
    return [step for step in path if step not in (START, END)]
