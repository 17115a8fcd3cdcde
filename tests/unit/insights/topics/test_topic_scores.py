"""Clustering scores: ACC with Hungarian matching, NMI, ARI."""

from __future__ import annotations

import pytest

from rehearsal.insights.topics.evaluate import hungarian_accuracy, score_clustering


def test_renamed_clusters_score_perfectly() -> None:
    # Given predictions that are the truth under other names
    truth = ["a", "a", "b", "b", "c"]
    predicted = [2, 2, 0, 0, 1]
    # When scored / Then every measure is 100
    scores = score_clustering(truth, predicted)
    assert (scores.acc, scores.nmi, scores.ari) == (100.0, 100.0, 100.0)


def test_accuracy_matches_each_predicted_cluster_to_one_true_cluster() -> None:
    # Given one cluster that merges two true ones
    truth = ["a", "a", "b", "b"]
    predicted = [0, 0, 0, 0]
    # When scored / Then only one true cluster can be matched
    assert hungarian_accuracy(truth, predicted) == 0.5


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="need equally many"):
        score_clustering(["a"], [0, 1])
