"""Choose the embedder a process uses from its settings."""

from __future__ import annotations

from collections.abc import Sequence

from rehearsal.insights.embeddings.cache import CachedEmbedder, EmbeddingCache
from rehearsal.insights.embeddings.lexical import LexicalEmbedder
from rehearsal.insights.embeddings.minilm import MiniLMEmbedder, minilm_available
from rehearsal.insights.embeddings.openai_compat import OpenAIEmbedder
from rehearsal.insights.embeddings.port import Embedder, EmbeddingError
from rehearsal.settings import Settings
from rehearsal.storage.ports import BlobStore


def build_embedder(
    settings: Settings,
    *,
    corpus: Sequence[str] = (),
    blobs: BlobStore | None = None,
    backend: str | None = None,
) -> CachedEmbedder:
    """``auto`` picks the OpenAI-compatible endpoint when one is configured, else MiniLM when its extra is
    installed, else the lexical fallback fitted on ``corpus``."""
    choice = backend or settings.embedding_backend
    if choice == "auto":
        fallback = "minilm" if minilm_available() else "lexical"
        choice = "openai" if settings.llm_configured else fallback
    inner: Embedder
    if choice == "openai":
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        inner = OpenAIEmbedder(model=settings.embedding_model, base_url=settings.llm_base_url, api_key=key)
    elif choice == "minilm":
        inner = MiniLMEmbedder()
    elif choice == "lexical":
        inner = LexicalEmbedder().fit(list(corpus))
    else:
        raise EmbeddingError(f"unknown embedding backend {choice!r} (auto, minilm, lexical, openai)")
    return CachedEmbedder(inner, EmbeddingCache(blobs))
