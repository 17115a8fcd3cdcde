"""Text classifiers for triggers and detectors: patterns, human labels and a linear model trained once.

The model is fitted with scikit-learn (TF-IDF over word 1–2-grams, logistic regression) and then compiled to
a term → weight table, so scoring one short turn is a handful of dict look-ups instead of a sparse-matrix
round trip: evaluation must keep up with hundreds of conversations per second. Predictions are cached by
text, since agents built from flows repeat their sentences.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rehearsal.evaluate.behaviours.spec import ClassifierSpec

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_CACHE_LIMIT = 50_000

Source = Literal["label", "pattern", "model", "patterns_only", "llm"]


def normalise(text: str) -> str:
    """The form under which texts are labelled and cached: case and spacing do not matter."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True, slots=True)
class Detection:
    positive: bool
    confidence: float
    probability: float
    source: Source


@dataclass(frozen=True, slots=True)
class LinearTextModel:
    """Logistic regression over l2-normalised, sublinear TF-IDF of word uni- and bigrams."""

    idf: Mapping[str, float]
    coef: Mapping[str, float]
    intercept: float

    @classmethod
    def fit(cls, positive: Sequence[str], negative: Sequence[str], *, seed: int = 0) -> LinearTextModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = [*positive, *negative]
        labels = [1] * len(positive) + [0] * len(negative)
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        features = vectorizer.fit_transform(texts)
        # Few examples: weak regularisation so the model takes a stand; balanced so class sizes don't bias it;
        # liblinear because on a few dozen texts it fits in milliseconds where lbfgs takes a quarter second.
        model = LogisticRegression(
            C=10.0, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=seed
        )
        model.fit(features, labels)
        weights = model.coef_[0]
        idf = vectorizer.idf_
        vocabulary: dict[str, int] = vectorizer.vocabulary_
        return cls(
            idf={term: float(idf[i]) for term, i in vocabulary.items()},
            coef={term: float(weights[i]) for term, i in vocabulary.items()},
            intercept=float(model.intercept_[0]),
        )

    def probability(self, text: str) -> float:
        tokens = _TOKEN.findall(text.lower())
        terms = Counter(tokens)
        terms.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
        dot = norm = 0.0
        for term, count in terms.items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            value = (1.0 + math.log(count)) * idf
            dot += value * self.coef[term]
            norm += value * value
        score = self.intercept + (dot / math.sqrt(norm) if norm else 0.0)
        return 1.0 / (1.0 + math.exp(-score))


class TextClassifier:
    """Decides in order: a human label (or training example) for this exact text, a pattern, the model."""

    def __init__(self, spec: ClassifierSpec, labels: Mapping[str, bool] | None = None) -> None:
        positive = [*spec.positive, *(text for text, yes in (labels or {}).items() if yes)]
        negative = [*spec.negative, *(text for text, yes in (labels or {}).items() if not yes)]
        self.threshold = spec.threshold
        self._labels = {normalise(text): True for text in positive} | {
            normalise(text): False for text in negative
        }
        self._pattern = (
            re.compile("|".join(f"(?:{p})" for p in spec.patterns), re.IGNORECASE) if spec.patterns else None
        )
        self._model = LinearTextModel.fit(positive, negative) if positive and negative else None
        self._cache: dict[str, Detection] = {}

    def detect(self, text: str) -> Detection:
        key = normalise(text)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._detect(text, key)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _detect(self, text: str, key: str) -> Detection:
        label = self._labels.get(key)
        if label is not None:
            return Detection(label, 1.0, float(label), "label")
        if self._pattern is not None and self._pattern.search(text):
            return Detection(True, 1.0, 1.0, "pattern")
        if self._model is None:
            return Detection(False, 1.0, 0.0, "patterns_only")
        p = self._model.probability(text)
        positive = p >= self.threshold
        return Detection(positive, p if positive else 1.0 - p, p, "model")
