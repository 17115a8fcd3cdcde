"""The embedding cache: keyed by (model, sha256 of text), persisted through the BlobStore."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rehearsal.insights.embeddings import CachedEmbedder, EmbeddingCache, Vectors, normalise
from rehearsal.storage.local import LocalBlobStore


class CountingEmbedder:
    family = "minilm"

    def __init__(self, name: str = "counting") -> None:
        self.name = name
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.seen.extend(texts)
        return normalise(np.array([[len(t), t.count("a") + 1.0, 1.0] for t in texts], dtype=np.float32))


def test_nothing_is_embedded_twice() -> None:
    # Given a cached embedder and texts with a repeat
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    # When the same texts are embedded in two calls
    first = cached.embed(["card lost", "refund", "card lost"])
    second = cached.embed(["refund", "card lost", "new text"])
    # Then each distinct text reached the model once, and vectors match across calls
    assert inner.seen == ["card lost", "refund", "new text"]
    assert np.array_equal(first[0], second[1])
    assert (cached.hits, cached.misses) == (3, 3)


def test_the_cache_persists_across_processes_through_the_blob_store(tmp_path: Path) -> None:
    # Given one process that embedded texts into a blob-backed cache
    blobs = LocalBlobStore(tmp_path)
    CachedEmbedder(CountingEmbedder(), EmbeddingCache(blobs)).embed(["alpha", "beta"])
    # When a new process with an empty memory embeds the same texts
    inner = CountingEmbedder()
    vectors = CachedEmbedder(inner, EmbeddingCache(blobs)).embed(["beta", "alpha"])
    # Then the model is not called and the vectors come back in the asked order
    assert inner.seen == []
    assert vectors.shape == (2, 3)
    assert any(key.startswith("embedding-cache/counting/") for key in blobs.list())


def test_models_do_not_share_cached_vectors() -> None:
    # Given one cache used by two models
    cache = EmbeddingCache()
    CachedEmbedder(CountingEmbedder("m1"), cache).embed(["same text"])
    other = CountingEmbedder("m2")
    # When the second model embeds the same text / Then it is embedded again
    CachedEmbedder(other, cache).embed(["same text"])
    assert other.seen == ["same text"]
