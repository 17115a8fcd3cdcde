"""Look-alike topics: pairs whose members sit close to the other topic's centre."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rehearsal.insights.embeddings.port import Vectors
from rehearsal.insights.topics.cluster import Labels
from rehearsal.insights.topics.models import LookAlike


def find_look_alikes(
    texts: Sequence[str],
    vectors: Vectors,
    labels: Labels,
    centroids: Vectors,
    *,
    top: int = 15,
    examples: int = 2,
) -> list[LookAlike]:
    """The ``top`` most confusable pairs, ranked by how many members sit nearly as close to the other topic
    (margin below 0.05) and then by centroid similarity; each with border examples from both sides."""
    if len(centroids) < 2:
        return []
    scores = vectors @ centroids.T
    own = scores[np.arange(len(labels)), labels]
    scores[np.arange(len(labels)), labels] = -np.inf
    runner_up = np.argmax(scores, axis=1)
    margin = own - scores[np.arange(len(labels)), runner_up]
    confusion: dict[tuple[int, int], int] = {}
    for member in np.flatnonzero(margin < 0.05):
        pair = _pair(int(labels[member]), int(runner_up[member]))
        confusion[pair] = confusion.get(pair, 0) + 1
    similarity = centroids @ centroids.T
    np.fill_diagonal(similarity, -np.inf)
    candidates = set(confusion)
    for topic in range(len(centroids)):
        candidates.add(_pair(topic, int(np.argmax(similarity[topic]))))
    ranked = sorted(candidates, key=lambda pair: (-confusion.get(pair, 0), -similarity[pair[0], pair[1]]))
    result: list[LookAlike] = []
    for first, second in ranked[:top]:
        border_first = _border(labels, margin, runner_up, (first, second), examples)
        border_second = _border(labels, margin, runner_up, (second, first), examples)
        result.append(
            LookAlike(
                topics=(first, second),
                similarity=round(float(similarity[first, second]), 4),
                examples=[(texts[a], texts[b]) for a, b in zip(border_first, border_second, strict=False)],
            )
        )
    return result


def _pair(first: int, second: int) -> tuple[int, int]:
    return (first, second) if first < second else (second, first)


def _border(
    labels: Labels, margin: np.ndarray, runner_up: np.ndarray, pair: tuple[int, int], count: int
) -> list[int]:
    """Members of ``pair[0]`` nearest to ``pair[1]``: the phrasings on the border between the two."""
    topic, other = pair
    members = np.flatnonzero(labels == topic)
    leaning = members[runner_up[members] == other]
    pool = leaning if len(leaning) else members
    return [int(i) for i in pool[np.argsort(margin[pool])][:count]]
