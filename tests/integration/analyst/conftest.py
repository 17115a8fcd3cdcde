"""The analyst tests' hand-made corpus, stored as corpus ``handmade`` in a fresh embedded home."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rehearsal.insights.corpus import save_corpus
from rehearsal.insights.ingest import ingest_path
from rehearsal.insights.topics.models import Assignment, Readiness, Topic, TopicModel, TopicStats
from rehearsal.insights.topics.output import ASSIGNMENTS_FILE, TOPICS_FILE
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "unit" / "analyst" / "transcripts.jsonl"
CORPUS = "handmade"


@pytest.fixture
def stored_corpus(tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """``tmp_settings`` with the corpus stored; the lexical embedder keeps the tests free of model weights."""
    monkeypatch.setenv("REHEARSAL_EMBEDDING_BACKEND", "lexical")
    save_corpus(build_stores(tmp_settings).blobs, CORPUS, ingest_path(TRANSCRIPTS, "jsonl"))
    return tmp_settings.model_copy(update={"embedding_backend": "lexical"})


def _topic(topic_id: int, label: str, volume: int) -> Topic:
    return Topic(
        id=topic_id,
        label=label,
        keywords=label.split(),
        representatives=[],
        size=volume,
        cohesion=0.5,
        stats=TopicStats(volume=volume, share=volume / 12),
        readiness=Readiness(score=0.5, factors=[]),
    )


@pytest.fixture
def stored_topics(stored_corpus: Settings) -> Settings:
    """The corpus's three topics where the insights cluster stage writes them."""
    labels = {"r": (0, "refund request"), "c": (1, "lost card"), "d": (2, "delivery status")}
    model = TopicModel(
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        embedder="test",
        embedder_family="lexical",
        params={},
        novelty_threshold=0.3,
        topics=[_topic(topic_id, label, 4) for topic_id, label in labels.values()],
        centroids=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        total_items=12,
    )
    conversations = [c.id for c in ingest_path(TRANSCRIPTS, "jsonl").conversations]
    lines = "".join(
        Assignment(id=cid, topic=labels[cid[0]][0], similarity=0.9).model_dump_json() + "\n"
        for cid in conversations
    )
    blobs = build_stores(stored_corpus).blobs
    blobs.put(f"insights/{CORPUS}/{TOPICS_FILE}", model.model_dump_json().encode())
    blobs.put(f"insights/{CORPUS}/{ASSIGNMENTS_FILE}", lines.encode())
    return stored_corpus
