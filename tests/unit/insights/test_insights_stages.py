"""Insights discovery stages: ingest → embed (per shard) → cluster, through the stores, passing keys only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearsal.insights.corpus import iter_corpus
from rehearsal.insights.stages import (
    ClusterRequest,
    EmbedRequest,
    IngestRequest,
    InsightsRequest,
    cluster_stage,
    embed_stage,
    ingest_stage,
    run_insights_stage,
)
from rehearsal.llm.stub_server import StubOpenAIServer
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores

REASONS = {
    "card": ["my card has not arrived", "where is my new card", "card still not delivered"],
    "refund": ["I want a refund", "refund my last payment", "how do I get a refund"],
    "pin": ["I forgot my pin", "reset my pin please", "my pin is blocked"],
}


@pytest.fixture
def stores(tmp_path: Path) -> Stores:
    return build_stores(Settings(backend="local", home=tmp_path / "home"))


def upload(stores: Stores) -> str:
    lines = []
    for number, (intent, texts) in enumerate(
        (i, t) for i, ts in REASONS.items() for t in ts for _ in range(3)
    ):
        turns = [
            {"speaker": "customer", "text": "hi"},
            {"speaker": "customer", "text": f"{texts} ({number})"},
        ]
        lines.append(json.dumps({"id": f"{intent}-{number}", "turns": turns}))
    lines.append("{broken")
    stores.blobs.put("uploads/calls.jsonl", ("\n".join(lines) + "\n").encode())
    return "uploads/calls.jsonl"


def test_ingest_stores_a_sharded_corpus_and_returns_keys(stores: Stores) -> None:
    # Given an uploaded JSONL file with one broken line
    key = upload(stores)
    # When the ingest stage runs
    result = ingest_stage(IngestRequest(source_key=key, format="jsonl", corpus="calls"), stores)
    # Then the corpus is stored, the bad line counted, and the shard keys returned for the fan-out
    assert (result.conversations, result.quarantined) == (27, 1)
    assert result.shard_keys == ["corpora/calls/shards/00000.jsonl"]
    assert len(list(iter_corpus(stores.blobs, "calls"))) == 27


def test_embedded_shards_are_not_embedded_again_when_clustering(stores: Stores) -> None:
    # Given an ingested corpus and an OpenAI-compatible embeddings endpoint
    key = upload(stores)
    ingested = ingest_stage(IngestRequest(source_key=key, format="jsonl", corpus="calls"), stores)
    with StubOpenAIServer() as server:
        settings = Settings(backend="local", llm_base_url=server.base_url, llm_api_key="k")
        # When every shard is embedded, then the corpus clustered
        embedded = [
            embed_stage(EmbedRequest(corpus="calls", shard_key=shard), stores, settings=settings)
            for shard in ingested.shard_keys
        ]
        before = len(server.requests)
        clustered = cluster_stage(ClusterRequest(corpus="calls"), stores, settings=settings)
        after = len(server.requests)
    # Then the embed stage sent each text once and indexed it, and clustering called the endpoint no more
    assert embedded[0].embedded == 27 and embedded[0].indexed == 27
    assert stores.search.count("insights-topics") == 27
    assert after == before
    assert clustered.items == 27 and clustered.topics >= 2
    lines = stores.blobs.get(clustered.assignments_key).decode().splitlines()
    assert len(lines) == 27


def test_the_lambda_event_selects_the_stage(stores: Stores) -> None:
    # Given an ingest event as the state machine sends it
    key = upload(stores)
    event = {"stage": "ingest", "source_key": key, "format": "jsonl", "corpus": "calls"}
    # When it is parsed and run
    result = run_insights_stage(InsightsRequest.model_validate(event), stores)
    # Then the ingest stage ran
    assert result.model_dump()["conversations"] == 27


@pytest.mark.parametrize(
    "event",
    [
        {"stage": "summarise", "corpus": "calls"},
        {"stage": "ingest", "source_key": "k", "format": "xml", "corpus": "calls"},
        {"stage": "cluster", "corpus": "../etc"},
    ],
)
def test_bad_events_are_refused(event: dict) -> None:
    with pytest.raises(ValueError):
        InsightsRequest.model_validate(event)
