"""Embedding providers: lexical fallback, OpenAI-compatible endpoint (local stub), MiniLM (opt-in)."""

from __future__ import annotations

import numpy as np
import pytest

from rehearsal.insights.embeddings import (
    EmbeddingError,
    LexicalEmbedder,
    MiniLMEmbedder,
    OpenAIEmbedder,
    build_embedder,
    minilm_available,
)
from rehearsal.llm.stub_server import StubOpenAIServer, stub_embedding
from rehearsal.settings import Settings

TEXTS = [
    "my card has not arrived yet",
    "when will my new card arrive",
    "I want a refund for this charge",
    "please refund my payment",
    "how do I reset my pin",
    "I forgot my pin number",
]


def test_lexical_vectors_are_unit_length_and_group_similar_texts() -> None:
    # Given the lexical embedder fitted on a small corpus
    embedder = LexicalEmbedder(dimensions=4).fit(TEXTS)
    # When the corpus is embedded
    vectors = embedder.embed(TEXTS)
    # Then rows are unit length and a card text is closer to the other card text than to a pin text
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[4]


def test_lexical_name_changes_with_the_fitted_corpus() -> None:
    # Given two fits on different corpora / Then their cache names differ
    assert LexicalEmbedder().fit(TEXTS).name != LexicalEmbedder().fit(TEXTS[:4]).name


def test_an_unfitted_lexical_embedder_says_what_to_do() -> None:
    with pytest.raises(EmbeddingError, match="fitted"):
        LexicalEmbedder().embed(["x"])


def test_openai_compatible_embeddings_come_from_the_endpoint_in_batches() -> None:
    # Given a local OpenAI-compatible server
    with StubOpenAIServer() as server:
        embedder = OpenAIEmbedder(model="embed-small", base_url=server.base_url, api_key="k", batch_size=4)
        # When six texts are embedded
        vectors = embedder.embed(TEXTS)
        # Then two batches were sent and the vectors are the server's, in order
        calls = [r for r in server.requests if r.path.endswith("/embeddings")]
    assert [len(r.body["input"]) for r in calls] == [4, 2]
    assert calls[0].body["model"] == "embed-small"
    assert np.allclose(vectors[5], stub_embedding(TEXTS[5]), atol=1e-5)
    assert embedder.name == "openai:embed-small"


def test_an_endpoint_failure_is_an_embedding_error() -> None:
    # Given an endpoint where nothing listens any more
    with StubOpenAIServer() as server:
        base_url = server.base_url
    embedder = OpenAIEmbedder(model="nope", base_url=base_url, api_key="k", timeout_s=2, max_retries=0)
    # When embedding / Then a readable error names the model
    with pytest.raises(EmbeddingError, match="'nope'"):
        embedder.embed(["hello"])


@pytest.mark.parametrize(
    ("settings", "family"),
    [
        (Settings(embedding_backend="lexical"), "lexical"),
        (Settings(embedding_backend="auto", llm_base_url="http://127.0.0.1:9/v1"), "openai"),
    ],
)
def test_the_factory_follows_the_settings(settings: Settings, family: str) -> None:
    # Given settings / When the embedder is built / Then it is of the configured family, cached
    assert build_embedder(settings, corpus=TEXTS).family == family


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(EmbeddingError, match="unknown embedding backend"):
        build_embedder(Settings(), backend="word2vec")


@pytest.mark.embeddings
@pytest.mark.skipif(not minilm_available(), reason="the embeddings extra is not installed")
def test_minilm_embeds_offline_into_384_unit_dimensions() -> None:
    # Given the packaged MiniLM model
    embedder = MiniLMEmbedder(threads=1)
    # When two paraphrases and an unrelated text are embedded
    vectors = embedder.embed(
        ["my card has not arrived", "where is my new card", "I want to close my account"]
    )
    # Then vectors are 384-d unit length and paraphrases are closer
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
