"""A two-level hierarchy: topics grouped into parents by average-linkage clustering of their centroids."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from rehearsal.insights.embeddings.port import Vectors


def group_topics(centroids: Vectors, *, parents: int | None = None) -> list[list[int]]:
    """Groups of topic ids (about √K groups unless ``parents`` is given), largest first."""
    count = len(centroids)
    if count < 3:
        return [list(range(count))] if count else []
    wanted = parents or max(2, round(math.sqrt(count)))
    tree = linkage(centroids.astype(np.float64), method="average", metric="cosine")
    flat = fcluster(tree, t=min(wanted, count), criterion="maxclust")
    groups = [np.flatnonzero(flat == value).tolist() for value in np.unique(flat)]
    return sorted(groups, key=lambda group: (-len(group), group[0]))


def parent_label(child_keywords: Sequence[Sequence[str]], volumes: Sequence[int]) -> str:
    """The keywords most shared by the children, weighted by their volume."""
    weight: dict[str, float] = {}
    for keywords, volume in zip(child_keywords, volumes, strict=True):
        for rank, keyword in enumerate(keywords[:4]):
            weight[keyword] = weight.get(keyword, 0.0) + volume / (rank + 1)
    best = sorted(weight, key=lambda keyword: -weight[keyword])[:2]
    return " / ".join(best) if best else "misc"
