"""Intent recognition trained from a bundle's example phrasings.

TF-IDF vectors (``features``) scored against every example and every intent centroid by cosine similarity;
a word never seen in the examples is first repaired to the known word one typo away (``spelling``).
An intent's confidence is the mean of its nearest-example and centroid similarities: the example term catches
close paraphrases, the centroid term rewards messages that share the intent's vocabulary overall. Below the
bundle's threshold a message is out of scope.

Scoring is one gather-and-dot over a dense (features × columns) matrix, so a turn costs tens of microseconds;
recent answers are remembered, since simulated visitors say the same few things across thousands of runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from rehearsal.runtime.nlu.features import WORD_PREFIX, sublinear, term_counts
from rehearsal.runtime.nlu.spelling import SpellingCorrector

RECENT_MATCHES = 4096  # per recognizer; a match is a few small objects


@dataclass(frozen=True)
class IntentLabel:
    agent: str
    intent: str


@dataclass(frozen=True)
class IntentMatch:
    intent: str | None
    agent: str | None
    confidence: float
    best_guess: str | None = None

    @property
    def in_scope(self) -> bool:
        return self.intent is not None


class IntentRecognizer:
    def __init__(self, examples: Sequence[tuple[IntentLabel, Sequence[str]]], *, threshold: float) -> None:
        self.threshold = threshold
        self.labels = [label for label, _ in examples]
        texts = [(index, text) for index, (_, phrasings) in enumerate(examples) for text in phrasings]
        counted = [sublinear(term_counts(text)) for _, text in texts]
        document_frequency: dict[str, int] = {}
        for vector in counted:
            for term in vector:
                document_frequency[term] = document_frequency.get(term, 0) + 1
        total = len(counted)
        self._idf = {term: math.log((1 + total) / (1 + df)) + 1.0 for term, df in document_frequency.items()}
        # Unseen terms weigh in the norm at 60% of the rarest seen term: enough to sink a message about
        # something else, not so much that one typo sinks a paraphrase (tuned on the example bundles).
        self._unseen_idf = (math.log(1 + total) + 1.0) * 0.6
        self._column = {term: column for column, term in enumerate(self._idf)}
        self._speller = SpellingCorrector(term[2:] for term in self._idf if term.startswith(WORD_PREFIX))
        example_rows = np.zeros((len(counted), len(self._idf)), dtype=np.float32)
        for row, vector in enumerate(counted):
            for term, weight in vector.items():
                example_rows[row, self._column[term]] = weight * self._idf[term]
        example_rows /= np.maximum(np.linalg.norm(example_rows, axis=1, keepdims=True), 1e-12)
        owners = np.array([index for index, _ in texts], dtype=np.int64)
        centroids = np.zeros((len(self.labels), len(self._idf)), dtype=np.float32)
        for index in range(len(self.labels)):
            centroids[index] = example_rows[owners == index].mean(axis=0)
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        # One matrix, features as rows: a message gathers only its own rows.
        self._matrix = np.ascontiguousarray(np.vstack([example_rows, centroids]).T)
        self._owners = owners
        self._n_examples = len(counted)
        # The recognizer never changes after training, so a text always gets the same match.
        self._recognize = lru_cache(maxsize=RECENT_MATCHES)(self._match)

    def scores(self, text: str) -> npt.NDArray[np.float64]:
        """Confidence per label, in ``self.labels`` order."""
        vector = sublinear(term_counts(text, self._speller.correct))
        columns: list[int] = []
        weights: list[float] = []
        squared = 0.0
        for term, weight in vector.items():
            column = self._column.get(term)
            if column is None:
                squared += (weight * self._unseen_idf) ** 2
                continue
            columns.append(column)
            weights.append(weight * self._idf[term])
            squared += weights[-1] ** 2
        if not columns:
            return np.zeros(len(self.labels))
        norm = math.sqrt(squared)
        similarity = (np.asarray(weights, dtype=np.float32) @ self._matrix[columns]) / norm
        nearest = np.full(len(self.labels), -1.0)
        np.maximum.at(nearest, self._owners, similarity[: self._n_examples])
        return np.asarray((nearest + similarity[self._n_examples :]) / 2.0, dtype=np.float64)

    def recognize(self, text: str, *, prefer_agent: str | None = None) -> IntentMatch:
        """The best intent, or an out-of-scope match; on a same-name tie ``prefer_agent``'s intent wins."""
        return self._recognize(text, prefer_agent)

    def _match(self, text: str, prefer_agent: str | None) -> IntentMatch:
        if not self.labels:
            return IntentMatch(None, None, 0.0)
        scores = self.scores(text)
        best = int(np.argmax(scores))
        label = self.labels[best]
        if prefer_agent is not None and label.agent != prefer_agent:
            for index, other in enumerate(self.labels):
                if other.agent == prefer_agent and other.intent == label.intent:
                    label = other
                    best = index
                    break
        confidence = float(scores[best])
        if confidence < self.threshold:
            return IntentMatch(None, None, confidence, best_guess=label.intent)
        return IntentMatch(label.intent, label.agent, confidence, best_guess=label.intent)
