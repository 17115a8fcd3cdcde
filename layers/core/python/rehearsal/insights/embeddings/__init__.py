"""Embeddings behind a port: local MiniLM (default), lexical TF-IDF/LSA fallback, OpenAI-compatible."""

from rehearsal.insights.embeddings.cache import CachedEmbedder, EmbeddingCache, text_key
from rehearsal.insights.embeddings.factory import build_embedder
from rehearsal.insights.embeddings.index import index_vectors
from rehearsal.insights.embeddings.lexical import LexicalEmbedder
from rehearsal.insights.embeddings.minilm import MiniLMEmbedder, minilm_available
from rehearsal.insights.embeddings.openai_compat import OpenAIEmbedder
from rehearsal.insights.embeddings.port import Embedder, EmbeddingError, Vectors, normalise

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "EmbeddingError",
    "LexicalEmbedder",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "Vectors",
    "build_embedder",
    "index_vectors",
    "minilm_available",
    "normalise",
    "text_key",
]
