"""The embedding port: texts in, L2-normalised float32 vectors out, one row per text, in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class EmbeddingError(Exception):
    """The embedding provider is unavailable or failed (missing extra, unreachable endpoint)."""


@runtime_checkable
class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the model and its state: equal names give equal vectors (the cache key)."""
        ...

    @property
    def family(self) -> str:
        """``minilm``, ``lexical`` or ``openai``: clustering defaults are tuned per family."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        raise EmbeddingError(f"expected a 2-D array of vectors, got shape {array.shape}")
    # einsum avoids a full-size temporary: at a million vectors every copy is 1.5 GB.
    norms = np.sqrt(np.einsum("ij,ij->i", array, array))[:, None]
    if np.allclose(norms, 1.0, atol=1e-4):
        return array  # already unit length: no copy
    return np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
