"""Topic labels: class-based TF-IDF keywords and representative phrasings.

c-TF-IDF treats all texts of a topic as one document: a term scores high when it is frequent in the topic
and rare across topics (tf of the term in the topic × log(1 + average words per topic / term frequency
over all topics)).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from rehearsal.insights.deid import PLACEHOLDER
from rehearsal.insights.embeddings.port import Vectors
from rehearsal.insights.topics.cluster import Labels


def ctfidf_keywords(texts: Sequence[str], labels: Labels, count: int, *, top: int = 6) -> list[list[str]]:
    """The ``top`` keywords of each topic 0..count-1 (unigrams and bigrams, English stop words removed)."""
    cleaned = [PLACEHOLDER.sub(" ", text) for text in texts]
    documents = [" ".join(cleaned[i] for i in np.flatnonzero(labels == topic)) for topic in range(count)]
    vectorizer = CountVectorizer(
        stop_words="english", ngram_range=(1, 2), token_pattern=r"(?u)\b[a-zA-Z]{2,}\b"
    )
    try:
        counts = vectorizer.fit_transform(documents).astype(np.float64)
    except ValueError:  # only stop words or placeholders: nothing to name topics with
        return [[] for _ in range(count)]
    totals = np.asarray(counts.sum(axis=1)).ravel()
    tf = counts.multiply(1 / np.maximum(totals, 1)[:, None]).tocsr()
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log1p(totals.mean() / np.maximum(frequency, 1))
    scores = tf.multiply(idf).tocsr()
    terms = vectorizer.get_feature_names_out()
    keywords: list[list[str]] = []
    for topic in range(count):
        row = scores.getrow(topic).toarray().ravel()
        order = [int(i) for i in np.argsort(-row) if row[i] > 0]
        chosen: list[str] = []
        for index in order:
            term = str(terms[index])
            # Skip a unigram already inside a chosen bigram (and vice versa) so keywords are not repeats.
            if any(term in kept.split() or kept in term.split() for kept in chosen):
                continue
            chosen.append(term)
            if len(chosen) == top:
                break
        keywords.append(chosen)
    return keywords


def label_from_keywords(keywords: Sequence[str], fallback: str) -> str:
    return " / ".join(keywords[:3]) if keywords else fallback


def representatives(
    texts: Sequence[str], vectors: Vectors, members: np.ndarray, centroid: np.ndarray, *, top: int = 5
) -> list[str]:
    """Distinct member texts closest to the centroid."""
    order = members[np.argsort(-(vectors[members] @ centroid))]
    chosen: list[str] = []
    seen: set[str] = set()
    for index in order:
        text = texts[int(index)].strip()
        if text.lower() not in seen:
            seen.add(text.lower())
            chosen.append(text)
        if len(chosen) == top:
            break
    return chosen
