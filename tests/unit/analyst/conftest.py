"""A small hand-made corpus (12 conversations, 3 topics, raw personal data de-identified on ingest) and an
analyst context over it on the embedded stores, with the lexical embedder so tests need no model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from rehearsal.analyst import AnalystContext
from rehearsal.analyst.service import context_for
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.ingest import ingest_path
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores

TRANSCRIPTS = Path(__file__).with_name("transcripts.jsonl")
TOPIC_IDS = {"refund request": 0, "lost card": 1, "delivery status": 2}
RAW_PERSONAL_DATA = ["Maria", "Lopez", "maria.lopez@example.com", "415-555-0132"]


def topics_of(conversations: Sequence[Conversation]) -> dict[str, tuple[int, str]]:
    labels = {c.id: str(c.metadata["topic"]) for c in conversations}
    return {cid: (TOPIC_IDS[label], label) for cid, label in labels.items()}


@pytest.fixture
def conversations() -> list[Conversation]:
    return ingest_path(TRANSCRIPTS, "jsonl").conversations


@pytest.fixture
def stores(tmp_settings: Settings) -> Stores:
    return build_stores(tmp_settings)


@pytest.fixture
def context(conversations: list[Conversation], stores: Stores, tmp_settings: Settings) -> AnalystContext:
    built, _ = context_for(
        "handmade",
        conversations,
        stores,
        settings=tmp_settings,
        topics=topics_of(conversations),
        embeddings="lexical",
    )
    return built
