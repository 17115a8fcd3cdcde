"""A fake embedder for topic tests: texts with the same keyword land near the same seeded direction."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from rehearsal.insights.embeddings.port import Vectors, normalise

INTENTS = {
    "card": [
        "my card has not arrived",
        "where is my new card",
        "card still not delivered",
        "card arrival time",
    ],
    "refund": [
        "I want a refund",
        "refund my last payment",
        "how do I get a refund",
        "refund for a wrong charge",
    ],
    "pin": ["I forgot my pin", "reset my pin please", "pin is blocked", "change the pin on my account"],
    "transfer": [
        "my transfer failed",
        "transfer has not gone through",
        "why did the transfer fail",
        "transfer pending",
    ],
}


class KeywordEmbedder:
    """Deterministic vectors: the direction of the first known keyword in the text plus per-text noise."""

    family = "minilm"

    def __init__(
        self, keywords: Sequence[str], *, dims: int = 48, noise: float = 0.25, name: str = "fake"
    ) -> None:
        rng = np.random.default_rng(7)
        self._centres = {keyword: rng.normal(size=dims) for keyword in keywords}
        self._dims = dims
        self._noise = noise
        self.name = name
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
            rng = np.random.default_rng(seed)
            centre = next((c for k, c in self._centres.items() if k in text.lower()), None)
            base = (
                normalise([centre])[0] if centre is not None else normalise([rng.normal(size=self._dims)])[0]
            )
            rows.append(base + self._noise * rng.normal(size=self._dims) / np.sqrt(self._dims))
        return normalise(np.array(rows)) if rows else np.zeros((0, self._dims), dtype=np.float32)


def phrasings(keyword: str, count: int, offset: int = 0) -> list[str]:
    """``count`` distinct texts of one intent (templates with a running number)."""
    templates = INTENTS[keyword]
    return [f"{templates[i % len(templates)]} ({i + offset})" for i in range(count)]
