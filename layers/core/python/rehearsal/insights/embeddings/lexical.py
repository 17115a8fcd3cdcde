"""The fallback that needs nothing: TF-IDF over words and character n-grams, reduced by LSA.

Unlike a pretrained model it learns its space from a corpus, so it is fitted first (on the texts being
clustered); its name carries a fingerprint of that fit so cached vectors never mix two spaces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from scipy.sparse import hstack
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from rehearsal.insights.embeddings.port import EmbeddingError, Vectors, normalise


class LexicalEmbedder:
    family = "lexical"

    def __init__(self, *, dimensions: int = 200, seed: int = 0) -> None:
        self._dimensions = dimensions
        self._seed = seed
        self._words = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, stop_words="english")
        self._chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5), min_df=2)
        self._svd: TruncatedSVD | None = None
        self._fingerprint = ""

    @property
    def name(self) -> str:
        if self._svd is None:
            raise EmbeddingError("the lexical embedder must be fitted on a corpus before use")
        return f"lexical-lsa{self._dimensions}-{self._fingerprint}"

    def fit(self, texts: Sequence[str]) -> LexicalEmbedder:
        if len(texts) < 3:
            raise EmbeddingError(
                f"the lexical embedder needs at least 3 texts to learn from, got {len(texts)}"
            )
        digest = hashlib.sha256()
        for text in texts:
            digest.update(text.encode("utf-8") + b"\0")
        self._fingerprint = digest.hexdigest()[:12]
        min_df = 2 if len(texts) >= 20 else 1
        self._words.set_params(min_df=min_df)
        self._chars.set_params(min_df=min_df)
        matrix = hstack([self._words.fit_transform(texts), self._chars.fit_transform(texts)]).tocsr()
        components = max(1, min(self._dimensions, matrix.shape[1] - 1, len(texts) - 1))
        self._svd = TruncatedSVD(n_components=components, random_state=self._seed).fit(matrix)
        return self

    def embed(self, texts: Sequence[str]) -> Vectors:
        if self._svd is None:
            raise EmbeddingError("the lexical embedder must be fitted on a corpus before use")
        if not texts:
            return np.zeros((0, self._svd.n_components), dtype=np.float32)
        matrix = hstack([self._words.transform(texts), self._chars.transform(texts)]).tocsr()
        return normalise(self._svd.transform(matrix))
