"""An embedding cache keyed by (model name, sha256 of the text), so nothing is embedded twice.

Vectors live in memory and, when a ``BlobStore`` is given, in ``.npz`` shards under
``embedding-cache/<model>/``: one shard per batch of new texts, loaded once per model on first use.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence

import numpy as np

from rehearsal.insights.embeddings.port import Embedder, Vectors
from rehearsal.storage.ports import BlobStore

CACHE_PREFIX = "embedding-cache"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, blobs: BlobStore | None = None) -> None:
        self._blobs = blobs
        self._vectors: dict[str, dict[str, Vectors]] = {}

    def _folder(self, model: str) -> str:
        return f"{CACHE_PREFIX}/{re.sub(r'[^A-Za-z0-9._-]+', '_', model)}"

    def _model(self, model: str) -> dict[str, Vectors]:
        if model not in self._vectors:
            known: dict[str, Vectors] = {}
            if self._blobs is not None:
                for key in self._blobs.list(self._folder(model) + "/"):
                    with np.load(io.BytesIO(self._blobs.get(key))) as shard:
                        known.update(zip(shard["keys"].tolist(), shard["vectors"], strict=True))
            self._vectors[model] = known
        return self._vectors[model]

    def lookup(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        known = self._model(model)
        return {key: known[key] for key in keys if key in known}

    def add(self, model: str, keys: Sequence[str], vectors: Vectors) -> None:
        if not keys:
            return
        known = self._model(model)
        known.update(zip(keys, vectors, strict=True))
        if self._blobs is not None:
            buffer = io.BytesIO()
            np.savez(buffer, keys=np.array(keys), vectors=vectors.astype(np.float32))
            shard = hashlib.sha256("".join(keys).encode()).hexdigest()[:16]
            self._blobs.put(f"{self._folder(model)}/{shard}.npz", buffer.getvalue())


class CachedEmbedder:
    """Wraps any embedder; duplicate texts in one call are embedded once too."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache | None = None) -> None:
        self.inner = inner
        self.cache = cache or EmbeddingCache()
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def family(self) -> str:
        return self.inner.family

    def embed(self, texts: Sequence[str]) -> Vectors:
        keys = [text_key(text) for text in texts]
        found = self.cache.lookup(self.name, keys)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = text
        self.hits += len(keys) - len(missing)  # served without calling the model
        self.misses += len(missing)
        if missing:
            fresh = self.inner.embed(list(missing.values()))
            self.cache.add(self.name, list(missing), fresh)
            found.update(zip(missing, fresh, strict=True))
        if not keys:
            return self.inner.embed([])
        return np.stack([found[key] for key in keys]).astype(np.float32)
