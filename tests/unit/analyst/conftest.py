"""A small hand-made corpus (12 conversations, 3 topics, raw personal data de-identified on ingest) and an
analyst context over it on the embedded stores, with the lexical embedder so tests need no model."""

from __future__ import annotations

import pytest
from analyst_corpus import TRANSCRIPTS, topics_of

from rehearsal.analyst import AnalystContext
from rehearsal.analyst.service import context_for
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.ingest import ingest_path
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores


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
