"""Insights discovery as pipeline stages: ingest → embed (one shard each, fanned out) → cluster.

Each stage is a pure function of its event and the stores, passing blob keys, never transcripts, so the same
functions run locally and behind the ``insights`` Lambda in the ``insights_discovery`` state machine. The
embed stage fills the embedding cache (in the BlobStore) and the search index; the cluster stage then finds
every vector in the cache and embeds nothing again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from rehearsal.insights.conversation import Conversation
from rehearsal.insights.corpus import corpus_prefix, load_manifest, save_corpus
from rehearsal.insights.embeddings import build_embedder, index_vectors
from rehearsal.insights.flows.stage import FlowsRequest, flows_stage
from rehearsal.insights.ingest import ingest_path
from rehearsal.insights.topics.discover import discover_topics, params_for
from rehearsal.insights.topics.items import items_from_conversations
from rehearsal.insights.topics.output import ASSIGNMENTS_FILE, TOPICS_FILE
from rehearsal.insights.topics.service import TOPICS_INDEX
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores

CorpusName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IngestRequest(_Event):
    stage: Literal["ingest"] = "ingest"
    source_key: str = Field(description="Blob key of the uploaded transcripts file.")
    format: Literal["jsonl", "csv", "star"]
    corpus: CorpusName


class IngestStageResult(_Event):
    corpus: str
    manifest_key: str
    shard_keys: list[str] = Field(description="What the embed Map fans out over.")
    conversations: int
    quarantined: int


class EmbedRequest(_Event):
    stage: Literal["embed"] = "embed"
    corpus: CorpusName
    shard_key: str


class EmbedStageResult(_Event):
    corpus: str
    shard_key: str
    embedded: int = Field(description="Texts sent to the model (the rest came from the cache).")
    indexed: int


class ClusterRequest(_Event):
    stage: Literal["cluster"] = "cluster"
    corpus: CorpusName
    cohesion: float | None = Field(None, gt=0, description="Overrides the tuned cut.")
    seed: int = 0


class ClusterStageResult(_Event):
    corpus: str
    topics_key: str
    assignments_key: str
    topics: int
    items: int


class InsightsRequest(
    RootModel[
        Annotated[IngestRequest | EmbedRequest | ClusterRequest | FlowsRequest, Field(discriminator="stage")]
    ]
):
    """The ``insights`` Lambda's event: one of the stages, told apart by ``stage``."""


def _shard_conversations(stores: Stores, key: str) -> list[Conversation]:
    lines = stores.blobs.get(key).decode("utf-8").splitlines()
    return [Conversation.model_validate_json(line) for line in lines if line.strip()]


def ingest_stage(request: IngestRequest, stores: Stores) -> IngestStageResult:
    with tempfile.TemporaryDirectory() as folder:
        # Readers take files; the name keeps the suffix (.gz) that tells them how to open it.
        path = Path(folder) / Path(request.source_key).name
        path.write_bytes(stores.blobs.get(request.source_key))
        result = ingest_path(path, request.format)
    result.source = request.source_key
    manifest = save_corpus(stores.blobs, request.corpus, result)
    return IngestStageResult(
        corpus=request.corpus,
        manifest_key=f"{corpus_prefix(request.corpus)}/manifest.json",
        shard_keys=[shard.key for shard in manifest.shards],
        conversations=manifest.conversations,
        quarantined=manifest.quarantined,
    )


def embed_stage(
    request: EmbedRequest, stores: Stores, *, settings: Settings | None = None
) -> EmbedStageResult:
    settings = settings or Settings()
    items = [
        i for i in items_from_conversations(_shard_conversations(stores, request.shard_key)) if i.text.strip()
    ]
    embedder = build_embedder(settings, corpus=[i.text for i in items], blobs=stores.blobs)
    if embedder.family == "lexical" or not items:
        # The lexical space is fitted on the whole corpus: the cluster stage embeds it in one go.
        return EmbedStageResult(corpus=request.corpus, shard_key=request.shard_key, embedded=0, indexed=0)
    vectors = embedder.embed([i.text for i in items])
    indexed = index_vectors(
        stores.search, TOPICS_INDEX, [i.id for i in items], [i.text for i in items], vectors
    )
    return EmbedStageResult(
        corpus=request.corpus, shard_key=request.shard_key, embedded=embedder.misses, indexed=indexed
    )


def cluster_stage(
    request: ClusterRequest, stores: Stores, *, settings: Settings | None = None
) -> ClusterStageResult:
    settings = settings or Settings()
    manifest = load_manifest(stores.blobs, request.corpus)
    conversations = [c for shard in manifest.shards for c in _shard_conversations(stores, shard.key)]
    items = items_from_conversations(conversations)
    embedder = build_embedder(settings, corpus=[i.text for i in items], blobs=stores.blobs)
    overrides: dict[str, float | int] = {"seed": request.seed}
    if request.cohesion is not None:
        overrides["cohesion"] = request.cohesion
    run = discover_topics(items, embedder, params=params_for(embedder.family, **overrides))
    prefix = f"insights/{request.corpus}"
    topics_key, assignments_key = f"{prefix}/{TOPICS_FILE}", f"{prefix}/{ASSIGNMENTS_FILE}"
    stores.blobs.put(
        topics_key, run.model.model_dump_json(indent=2).encode(), content_type="application/json"
    )
    lines = "".join(a.model_dump_json() + "\n" for a in run.assignments).encode()
    stores.blobs.put(assignments_key, lines, content_type="application/x-ndjson")
    return ClusterStageResult(
        corpus=request.corpus,
        topics_key=topics_key,
        assignments_key=assignments_key,
        topics=len(run.model.topics),
        items=len(items),
    )


def run_insights_stage(request: InsightsRequest, stores: Stores) -> BaseModel:
    event = request.root
    if isinstance(event, IngestRequest):
        return ingest_stage(event, stores)
    if isinstance(event, EmbedRequest):
        return embed_stage(event, stores)
    if isinstance(event, FlowsRequest):
        return flows_stage(event, stores)
    return cluster_stage(event, stores)
