"""Topic discovery with the number of topics unknown.

1. Ward's hierarchy over the unit vectors (on a seeded sample when the corpus is large).
   Before that each sampled vector is averaged with its nearest neighbours (denoising stray phrasings).
2. Cut it top-down by *cohesion*: a node is split while the mean squared distance of its members to their
   centroid exceeds ``cohesion``. Unlike a height threshold this does not depend on how many utterances each
   topic has, so one value holds for a 3k and a 1M corpus.
3. Fragments are stray phrasings of a neighbour: smaller than ``min_size_ratio`` × the size of the cluster a
   typical utterance sits in (the size-weighted median) *and* close to a larger cluster (or tiny). Their
   members move to the nearest kept centroid; a small cluster unlike the others stays a (rare) topic.
4. A few spherical k-means (Lloyd) passes over *all* vectors, in chunks, refine the partition; with a
   sample this is also how the rest of the corpus is assigned (sample-then-assign), in bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.cluster.hierarchy import linkage

from rehearsal.insights.embeddings.port import Vectors, normalise

Labels = npt.NDArray[np.int64]

# Tuned on BANKING77 *train* (never on the test split) for each embedding family; see benchmarks/.
FAMILY_DEFAULTS: dict[str, dict[str, float | int]] = {
    "minilm": {"cohesion": 0.27, "smoothing_neighbours": 5},
    "lexical": {"cohesion": 0.7, "smoothing_neighbours": 0},
    "openai": {"cohesion": 0.27, "smoothing_neighbours": 5},  # untuned: MiniLM's values
}


class TopicsError(Exception):
    """The corpus cannot be clustered (too small, empty texts): a user-facing message."""


@dataclass(frozen=True)
class ClusterParams:
    cohesion: float = 0.27
    smoothing_neighbours: int = 5
    min_size_ratio: float = 0.5
    fragment_similarity: float = 0.5
    min_topic_size: int = 3
    min_items: int = 5
    sample_size: int = 6000
    refine_iterations: int = 10
    chunk_size: int = 50_000
    seed: int = 0


@dataclass(frozen=True)
class Clustering:
    labels: Labels
    centroids: Vectors  # unit-length, one row per topic, in label order


def smooth(vectors: Vectors, neighbours: int) -> Vectors:
    """Each vector pulled towards the mean of its nearest neighbours (itself included): stray phrasings move
    to where their look-alikes are, so the tree is cut on denoised positions. O(n²): for the sample only."""
    k = min(neighbours + 1, len(vectors))
    similarity = vectors @ vectors.T
    nearest_ids = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    del similarity
    return normalise(vectors + vectors[nearest_ids].mean(axis=1))


def cohesion_cut(vectors: Vectors, cohesion: float) -> Labels:
    """Flat clusters from Ward's tree, splitting every node whose members spread more than ``cohesion``."""
    n = len(vectors)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    tree = linkage(vectors.astype(np.float64), method="ward")
    size = np.ones(2 * n - 1)
    sse = np.zeros(2 * n - 1)
    children = tree[:, :2].astype(np.int64)
    for step, (left, right, height, _) in enumerate(tree):
        node = n + step
        size[node] = size[int(left)] + size[int(right)]
        # scipy's Ward height is sqrt(2 × the increase in within-cluster squared error).
        sse[node] = sse[int(left)] + sse[int(right)] + height * height / 2
    spread = sse / size
    labels = np.empty(n, dtype=np.int64)
    next_label = 0
    stack = [2 * n - 2]
    while stack:
        node = stack.pop()
        if node >= n and spread[node] > cohesion:
            stack.extend(children[node - n].tolist())
            continue
        leaves = [node]
        members: list[int] = []
        while leaves:
            current = leaves.pop()
            if current < n:
                members.append(current)
            else:
                leaves.extend(children[current - n].tolist())
        labels[members] = next_label
        next_label += 1
    return labels


def weighted_median_size(labels: Labels) -> int:
    """The size of the cluster that the median utterance belongs to."""
    sizes = np.sort(np.bincount(labels))
    cumulative = np.cumsum(sizes)
    return int(sizes[np.searchsorted(cumulative, cumulative[-1] / 2)])


def centroids_of(vectors: Vectors, labels: Labels, count: int) -> Vectors:
    # A one-hot sparse product sums each cluster's vectors in one pass (np.add.at is unbuffered and slow).
    one_hot = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))), shape=(count, len(labels))
    )
    return normalise(np.asarray(one_hot @ vectors))


def member_similarity(
    vectors: Vectors, centroids: Vectors, labels: Labels, chunk_size: int = 50_000
) -> np.ndarray:
    """Cosine similarity of each vector to its own topic's centre, in chunks."""
    result = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), chunk_size):
        window = slice(start, start + chunk_size)
        result[window] = np.einsum("ij,ij->i", vectors[window], centroids[labels[window]])
    return result


def absorb_fragments(vectors: Vectors, labels: Labels, min_size: int, similar: float, floor: int) -> Labels:
    """Move members of fragments to the nearest kept centroid; relabel 0..K-1.

    A fragment is a cluster below ``floor`` members, or below ``min_size`` members whose centre is at least
    ``similar`` to a larger cluster's (a stray piece of a neighbour). A small cluster unlike every other is
    kept: rare contact reasons are real topics too.
    """
    counts = np.bincount(labels)
    large = np.flatnonzero(counts >= min_size)
    if len(large) == 0:
        large = np.array([int(np.argmax(counts))])
    centres = centroids_of(vectors, labels, len(counts))
    closeness = (centres @ centres[large].T).max(axis=1)
    keep = (counts >= min_size) | ((counts >= floor) & (closeness < similar))
    keep[large] = True
    kept = np.flatnonzero(keep)
    remap = np.full(len(counts), -1, dtype=np.int64)
    remap[kept] = np.arange(len(kept))
    result = remap[labels]
    members = result >= 0
    centroids = centroids_of(vectors[members], result[members], len(kept))
    stray = ~members
    if stray.any():
        result[stray] = np.argmax(vectors[stray] @ centroids.T, axis=1)
    return result


def nearest(vectors: Vectors, centroids: Vectors, chunk_size: int) -> tuple[Labels, npt.NDArray[np.float32]]:
    """Nearest centroid (cosine) and its similarity for every vector, in chunks to bound memory."""
    labels = np.empty(len(vectors), dtype=np.int64)
    similarity = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), chunk_size):
        scores = vectors[start : start + chunk_size] @ centroids.T
        labels[start : start + chunk_size] = np.argmax(scores, axis=1)
        similarity[start : start + chunk_size] = scores[
            np.arange(len(scores)), labels[start : start + chunk_size]
        ]
    return labels, similarity


def refine(vectors: Vectors, centroids: Vectors, iterations: int, chunk_size: int) -> Clustering:
    """Spherical k-means from the given centroids; topics that lose every member are dropped."""
    labels, _ = nearest(vectors, centroids, chunk_size)
    for _ in range(iterations):
        used = np.unique(labels)
        compact = np.searchsorted(used, labels)
        centroids = centroids_of(vectors, compact, len(used))
        new_labels, _ = nearest(vectors, centroids, chunk_size)
        if np.array_equal(new_labels, compact):
            labels = new_labels
            break
        labels = new_labels
    used = np.unique(labels)
    labels = np.searchsorted(used, labels).astype(np.int64)
    return Clustering(labels=labels, centroids=centroids_of(vectors, labels, len(used)))


def discover_clusters(vectors: Vectors, params: ClusterParams) -> Clustering:
    n = len(vectors)
    if n < params.min_items:
        raise TopicsError(
            f"topic discovery needs at least {params.min_items} non-empty texts, got {n}; "
            "ingest more conversations first"
        )
    vectors = normalise(vectors)
    rng = np.random.default_rng(params.seed)
    sample = (
        np.sort(rng.choice(n, size=params.sample_size, replace=False)) if n > params.sample_size else None
    )
    seed_vectors = vectors[sample] if sample is not None else vectors
    if params.smoothing_neighbours > 0:
        seed_vectors = smooth(seed_vectors, params.smoothing_neighbours)
    labels = cohesion_cut(seed_vectors, params.cohesion)
    min_size = max(2, int(params.min_size_ratio * weighted_median_size(labels)))
    labels = absorb_fragments(
        seed_vectors, labels, min_size, params.fragment_similarity, max(2, params.min_topic_size)
    )
    centroids = centroids_of(seed_vectors, labels, int(labels.max()) + 1)
    # When the sample is the whole corpus, refine in the smoothed space it was cut in; otherwise the
    # rest of the corpus (never smoothed: that needs neighbours among all n) is assigned as it is.
    space = seed_vectors if sample is None else vectors
    return refine(space, centroids, params.refine_iterations, params.chunk_size)
