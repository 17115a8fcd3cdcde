"""Steps from unlabelled agent utterances: cluster what agents say, name each cluster by its words.

Agents repeat themselves (templates, macros, habits), so identical normalised texts are clustered once with
their counts as weights; a sample of distinct texts is clustered by average linkage under a cosine distance
threshold (the number of steps is not given), and every text is then assigned to the nearest centroid.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from rehearsal.insights.flows.tools import slug

Embed = Callable[[Sequence[str]], np.ndarray]
"""Texts → one vector per text (rows need not be normalised)."""

_PLACEHOLDER = re.compile(r"\[([A-Z]+)_\d+\]")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
# Words that carry no step meaning. Not a full stop-word list: "name" or "first" name steps well.
_FILLER = frozenset(
    {
        "a",
        "an",
        "the",
        "i",
        "you",
        "your",
        "we",
        "me",
        "my",
        "it",
        "its",
        "this",
        "that",
        "is",
        "are",
        "was",
        "be",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "so",
        "can",
        "could",
        "would",
        "will",
        "may",
        "might",
        "do",
        "does",
        "have",
        "has",
        "please",
        "just",
        "ok",
        "okay",
        "num",
        "value",
    }
)
_NAMING_SHARE = 0.3
"""A word names a step only when at least this share of its utterances contain it."""


def normalise(text: str) -> str:
    """Lower-case text with values masked, so that one template with different values reads the same."""
    text = _PLACEHOLDER.sub(lambda m: f" {m.group(1).lower()} ", text)
    text = _QUOTED.sub(" value ", text)
    text = _NUMBER.sub(" num ", text)
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def tfidf_embed(texts: Sequence[str]) -> np.ndarray:
    """The lexical default: word uni- and bi-gram TF-IDF (needs no model)."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    return np.asarray(vectorizer.fit_transform(list(texts)).toarray(), dtype=np.float32)


@dataclass(frozen=True)
class StepClustering:
    assignments: list[str]
    """Step id of each input text, in input order."""
    labels: dict[str, str]
    """Step id → representative utterance."""
    examples: dict[str, list[str]]


@dataclass(frozen=True)
class StepClusterer:
    distance_threshold: float = 0.6
    """Average-linkage cosine distance under which utterances are one step."""
    min_size: int = 2
    """Clusters with fewer utterances join their nearest cluster."""
    max_sample: int = 3000
    """At most this many distinct utterances go through the quadratic clustering; the rest are assigned."""
    seed: int = 0
    embed: Embed = tfidf_embed

    def fit(self, texts: Sequence[str]) -> StepClustering:
        if not texts:
            return StepClustering([], {}, {})
        normalised = [normalise(text) for text in texts]
        weights = Counter(normalised)
        distinct = sorted(weights)
        vectors = _unit(self.embed(distinct))
        members = self._cluster(distinct, weights, vectors)
        centroids = _unit(np.stack([vectors[idx].mean(axis=0) for idx in members]))
        cluster_of = np.argmax(vectors @ centroids.T, axis=1)
        ids = self._name_clusters(distinct, weights, cluster_of, len(members))
        by_text = {text: ids[int(cluster)] for text, cluster in zip(distinct, cluster_of, strict=True)}
        assignments = [by_text[text] for text in normalised]
        labels, examples = _representatives(texts, assignments)
        return StepClustering(assignments, labels, examples)

    def _cluster(self, distinct: list[str], weights: Counter[str], vectors: np.ndarray) -> list[np.ndarray]:
        """Indices into `distinct` of each cluster found on a weighted sample."""
        if len(distinct) == 1:
            return [np.array([0])]
        sample = np.arange(len(distinct))
        if len(distinct) > self.max_sample:
            # Frequent texts (templates) are the skeleton of the steps; keep them all, sample the long tail.
            order = sorted(sample, key=lambda i: (-weights[distinct[i]], distinct[i]))
            head = np.array(order[: self.max_sample // 2])
            rng = np.random.default_rng(self.seed)
            tail = rng.choice(np.array(order[self.max_sample // 2 :]), self.max_sample // 2, replace=False)
            sample = np.sort(np.concatenate([head, tail]))
        chosen = vectors[sample]
        # Cosine distance on unit rows; an all-zero row (a text of masked values only) is far from everything.
        distances = np.clip(1.0 - chosen @ chosen.T, 0.0, 2.0)
        np.fill_diagonal(distances, 0.0)
        tree = linkage(squareform(distances, checks=False), method="average")
        flat = fcluster(tree, t=self.distance_threshold, criterion="distance")
        clusters = [sample[flat == label] for label in np.unique(flat)]
        size = [sum(weights[distinct[i]] for i in idx) for idx in clusters]
        kept = [idx for idx, n in zip(clusters, size, strict=True) if n >= self.min_size]
        return kept or clusters

    @staticmethod
    def _name_clusters(
        distinct: list[str], weights: Counter[str], cluster_of: np.ndarray, n_clusters: int
    ) -> list[str]:
        """Step ids from the words most of a cluster's utterances share and few other clusters use.

        Only the words most utterances of the cluster contain qualify, so that one odd utterance cannot name
        the step; among them, words particular to the cluster come first (class-based IDF).
        """
        words = [Counter[str]() for _ in range(n_clusters)]
        sizes = Counter[int]()
        for text, cluster in zip(distinct, cluster_of, strict=True):
            sizes[int(cluster)] += weights[text]
            for word in set(text.split()) - _FILLER:
                words[int(cluster)][word] += weights[text]
        spread = Counter(word for counter in words for word in counter)
        ids: list[str] = []
        for index, counter in enumerate(words):
            share = {w: n / (sizes[index] or 1) for w, n in counter.items()}
            common = [w for w, s in share.items() if s >= _NAMING_SHARE] or list(share)
            scored = sorted(common, key=lambda w: (-share[w] * np.log(1 + n_clusters / spread[w]), w))
            base = slug("_".join(scored[:3])) if scored else f"step_{index}"
            ids.append(base if base not in ids else f"{base}_{index}")
        return ids


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _representatives(
    texts: Sequence[str], assignments: list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    by_step: dict[str, Counter[str]] = {}
    for text, step in zip(texts, assignments, strict=True):
        by_step.setdefault(step, Counter())[text.strip()] += 1
    labels = {step: counter.most_common(1)[0][0] for step, counter in by_step.items()}
    examples = {step: [text for text, _ in counter.most_common(3)] for step, counter in by_step.items()}
    return labels, examples
