"""Clustering quality against reference labels: ACC (Hungarian matching), NMI and ARI, in percent."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


class ClusterScores(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    acc: float
    nmi: float
    ari: float
    topics_found: int
    true_topics: int


def _codes(values: Sequence[Hashable]) -> np.ndarray:
    _, codes = np.unique(np.array([str(value) for value in values]), return_inverse=True)
    return codes


def hungarian_accuracy(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of items right under the best one-to-one matching of predicted to true clusters."""
    true_codes, predicted_codes = _codes(truth), _codes(predicted)
    table = np.zeros((predicted_codes.max() + 1, true_codes.max() + 1), dtype=np.int64)
    np.add.at(table, (predicted_codes, true_codes), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / len(true_codes))


def score_clustering(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> ClusterScores:
    if len(truth) != len(predicted) or not truth:
        raise ValueError(
            f"need equally many true and predicted labels, got {len(truth)} and {len(predicted)}"
        )
    true_codes, predicted_codes = _codes(truth), _codes(predicted)
    return ClusterScores(
        acc=round(100 * hungarian_accuracy(truth, predicted), 1),
        nmi=round(100 * normalized_mutual_info_score(true_codes, predicted_codes), 1),
        ari=round(100 * adjusted_rand_score(true_codes, predicted_codes), 1),
        topics_found=int(predicted_codes.max() + 1),
        true_topics=int(true_codes.max() + 1),
    )
