"""Embeddings from any OpenAI-compatible endpoint (``/v1/embeddings``): the natural choice inside Lambda."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rehearsal.insights.embeddings.port import EmbeddingError, Vectors, normalise


class OpenAIEmbedder:
    family = "openai"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None,
        api_key: str | None,
        batch_size: int = 256,
        timeout_s: float = 60,
        max_retries: int = 2,
    ) -> None:
        import openai  # the SDK stays inside the adapter

        self._model = model
        self._batch_size = batch_size
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=max_retries
        )
        self._error = openai.OpenAIError

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            try:
                response = self._client.embeddings.create(model=self._model, input=batch)
            except self._error as error:
                raise EmbeddingError(
                    f"embedding endpoint failed for model {self._model!r}: {error}"
                ) from error
            ordered = sorted(response.data, key=lambda item: item.index)
            if len(ordered) != len(batch):
                raise EmbeddingError(
                    f"asked for {len(batch)} embeddings, the endpoint returned {len(ordered)}"
                )
            rows.extend(list(item.embedding) for item in ordered)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return normalise(rows)
