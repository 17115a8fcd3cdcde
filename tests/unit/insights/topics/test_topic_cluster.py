"""Clustering with the number of topics unknown."""

from __future__ import annotations

import numpy as np
import pytest

from rehearsal.insights.embeddings.port import normalise
from rehearsal.insights.topics.cluster import ClusterParams, TopicsError, cohesion_cut, discover_clusters
from rehearsal.insights.topics.evaluate import score_clustering


def blobs(
    sizes: list[int], *, dims: int = 32, spread: float = 0.35, seed: int = 1
) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    centres = normalise(rng.normal(size=(len(sizes), dims)))
    vectors, truth = [], []
    for label, size in enumerate(sizes):
        vectors.append(centres[label] + spread * rng.normal(size=(size, dims)) / np.sqrt(dims))
        truth += [label] * size
    return normalise(np.vstack(vectors)), truth


def test_the_number_of_topics_is_found_without_being_given() -> None:
    # Given six groups of very different sizes
    vectors, truth = blobs([15, 30, 45, 60, 80, 120])
    # When they are clustered with no K
    clustering = discover_clusters(vectors, ClusterParams())
    # Then the six groups come back
    scores = score_clustering(truth, clustering.labels.tolist())
    assert scores.topics_found == 6
    assert scores.acc == 100.0


def test_sample_then_assign_recovers_the_same_topics_on_a_larger_corpus() -> None:
    # Given a corpus larger than the clustering sample
    vectors, truth = blobs([300, 500, 700, 900])
    # When it is clustered on a sample of 400 and the rest assigned
    clustering = discover_clusters(vectors, ClusterParams(sample_size=400))
    # Then every vector has a topic and the groups are recovered
    scores = score_clustering(truth, clustering.labels.tolist())
    assert len(clustering.labels) == len(vectors)
    assert scores.topics_found == 4
    assert scores.acc >= 99.0


def test_results_are_reproducible_for_a_seed() -> None:
    # Given one corpus clustered twice with the same seed on a sample
    vectors, _ = blobs([200, 300, 400])
    params = ClusterParams(sample_size=300, seed=3)
    # When it is clustered twice / Then the labels are identical
    first = discover_clusters(vectors, params).labels
    second = discover_clusters(vectors, params).labels
    assert np.array_equal(first, second)


def test_a_tighter_cohesion_splits_more() -> None:
    # Given one corpus
    vectors, _ = blobs([40, 40, 40, 40], spread=0.6)
    # When it is cut at a loose and at a tight cohesion
    loose = len(set(cohesion_cut(vectors, 0.6).tolist()))
    tight = len(set(cohesion_cut(vectors, 0.1).tolist()))
    # Then the tight cut has more clusters
    assert tight > loose


@pytest.mark.parametrize("count", [0, 1, 4])
def test_a_tiny_corpus_gets_a_clear_message(count: int) -> None:
    # Given fewer items than discovery needs
    vectors = normalise(np.random.default_rng(0).normal(size=(count, 8))) if count else np.zeros((0, 8))
    # When it is clustered / Then the error says how many are needed
    with pytest.raises(TopicsError, match="at least 5"):
        discover_clusters(vectors, ClusterParams())
