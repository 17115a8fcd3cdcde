"""Indexing turns: one document per non-empty turn with its attributes; indexing twice changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from analyst_corpus import topics_of

from rehearsal.analyst.indexing import index_name, index_turns
from rehearsal.analyst.models import TurnRecord
from rehearsal.analyst.turns import corpus_turns
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.embeddings import LexicalEmbedder, Vectors
from rehearsal.storage.factory import Stores

INDEX = index_name("c", "handmade")


def test_each_turn_is_indexed_with_its_attributes(conversations: list[Conversation], stores: Stores) -> None:
    # Given the corpus's turns with their topics
    turns = corpus_turns(conversations, topics_of(conversations))
    embedder = LexicalEmbedder().fit([t.text for t in turns])

    # When they are indexed
    report = index_turns(stores.search, stores.blobs, INDEX, turns, embedder)

    # Then every turn is a document with text, vector and filterable fields
    assert report.rebuilt and stores.search.count(INDEX) == len(turns) == report.turns
    [document] = stores.search.get(INDEX, ["r1#1"])
    assert document.text == "I want a refund for my order, it arrived broken."
    assert document.vector is not None
    assert document.fields == {
        "conversation_id": "r1",
        "turn": 1,
        "speaker": "customer",
        "source": "historical",
        "outcome": "escalated",
        "channel": "chat",
        "topic": 0,
        "topic_label": "refund request",
    }


def test_indexing_the_same_turns_again_is_a_no_op(conversations: list[Conversation], stores: Stores) -> None:
    # Given an indexed corpus
    turns = corpus_turns(conversations)
    embedder = LexicalEmbedder().fit([t.text for t in turns])
    index_turns(stores.search, stores.blobs, INDEX, turns, embedder)

    # When the same turns are indexed again
    report = index_turns(stores.search, stores.blobs, INDEX, turns, embedder)

    # Then nothing is rebuilt and the count is unchanged
    assert not report.rebuilt
    assert stores.search.count(INDEX) == len(turns)


def test_a_changed_corpus_replaces_the_index_without_stale_turns(
    conversations: list[Conversation], stores: Stores
) -> None:
    # Given an indexed corpus
    turns = corpus_turns(conversations)
    embedder = LexicalEmbedder().fit([t.text for t in turns])
    index_turns(stores.search, stores.blobs, INDEX, turns, embedder)

    # When it is indexed again without its refund conversations
    kept = [t for t in turns if not t.conversation_id.startswith("r")]
    report = index_turns(stores.search, stores.blobs, INDEX, kept, embedder)

    # Then the index holds exactly the remaining turns
    assert report.rebuilt
    assert stores.search.count(INDEX) == len(kept)
    assert stores.search.get(INDEX, ["r1#1"]) == []


def test_index_names_are_valid_and_distinct_for_names_that_slug_alike() -> None:
    # When two corpus names differ only in characters an index name cannot hold
    first, second = index_name("c", "Acme.Retail"), index_name("c", "acme-retail")

    # Then both are valid, lower-case and different
    assert first != second
    assert first == first.lower() and first.startswith("analyst-c-acme-retail-")


class _BlindEmbedder:
    """Sees nothing in a turn that says only "ok": its vector is all zeros, as a lexical space can give."""

    name = "blind-test"
    family = "test"

    def embed(self, texts: Sequence[str]) -> Vectors:
        return np.asarray([[0.0, 0.0] if text == "ok" else [1.0, 0.0] for text in texts], dtype=np.float32)


def test_a_turn_without_a_vector_is_indexed_for_its_words(stores: Stores) -> None:
    # Given a turn the embedder maps to the zero vector, next to one it does not
    turns = [
        TurnRecord(conversation_id="a", turn=0, speaker="customer", text="ok"),
        TurnRecord(conversation_id="a", turn=1, speaker="customer", text="my card is lost"),
    ]

    # When they are indexed
    index_turns(stores.search, stores.blobs, INDEX, turns, _BlindEmbedder())

    # Then both are stored, the first without a vector, and BM25 still finds it
    first, second = stores.search.get(INDEX, ["a#0", "a#1"])
    assert first.vector is None and second.vector is not None
    assert [hit.id for hit in stores.search.search(INDEX, text="ok")] == ["a#0"]
