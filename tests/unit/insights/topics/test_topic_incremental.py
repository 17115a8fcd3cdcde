"""New data against existing topics: assignment, novelty, and new topics without recomputing old ones."""

from __future__ import annotations

import pytest
from fakes import INTENTS, KeywordEmbedder, phrasings

from rehearsal.insights.embeddings import EmbeddingError
from rehearsal.insights.topics import TopicItem, assign_items, discover_topics
from rehearsal.insights.topics.models import NOVEL

KNOWN = ["card", "refund", "pin"]


def items(keyword: str, count: int, offset: int) -> list[TopicItem]:
    return [
        TopicItem(id=f"{keyword}-{offset + n}", text=t)
        for n, t in enumerate(phrasings(keyword, count, offset))
    ]


@pytest.fixture
def embedder() -> KeywordEmbedder:
    return KeywordEmbedder(list(INTENTS))


@pytest.fixture
def model(embedder: KeywordEmbedder):
    corpus = [item for keyword in KNOWN for item in items(keyword, 20, 0)]
    return discover_topics(corpus, embedder).model


def test_new_items_of_known_intents_join_their_topics(model, embedder) -> None:
    # Given topics for card, refund and pin, and new card and pin messages
    card_topic = next(t.id for t in model.topics if "card" in t.keywords)
    new = items("card", 5, 100) + items("pin", 3, 100)
    # When they are assigned
    updated, assignments = assign_items(model, new, embedder)
    # Then card messages go to the card topic, sizes grow and no topic is added
    assert {a.topic for a in assignments[:5]} == {card_topic}
    assert updated.topics[card_topic].size == model.topics[card_topic].size + 5
    assert len(updated.topics) == len(model.topics)
    assert updated.total_items == model.total_items + 8


def test_unlike_items_wait_as_novel(model, embedder) -> None:
    # Given too few messages of an unseen intent to form a topic
    new = items("transfer", 3, 0)
    # When they are assigned
    updated, assignments = assign_items(model, new, embedder, min_new_topic_size=5)
    # Then they are novel and pending
    assert {a.topic for a in assignments} == {NOVEL}
    assert [p.id for p in updated.pending] == [item.id for item in new]


def test_enough_novel_items_form_a_new_topic_and_old_topics_stay(model, embedder) -> None:
    # Given three novel transfer messages already pending, then four more
    first, _ = assign_items(model, items("transfer", 3, 0), embedder, min_new_topic_size=5)
    # When the next batch arrives
    second, assignments = assign_items(first, items("transfer", 4, 3), embedder, min_new_topic_size=5)
    # Then a new topic with the next id holds all seven, labelled by its keyword, earlier topics unchanged
    assert len(second.topics) == len(model.topics) + 1
    new_topic = second.topics[-1]
    assert new_topic.id == len(model.topics)
    assert "transfer" in new_topic.label
    assert new_topic.size == 7
    assert sorted(a.id for a in assignments if a.topic == new_topic.id) == sorted(
        f"transfer-{n}" for n in range(7)
    )
    assert second.pending == []
    for old, kept in zip(model.topics, second.topics, strict=False):
        assert (old.id, old.label) == (kept.id, kept.label)


def test_a_different_embedder_is_refused(model) -> None:
    # Given topics built with one embedder / When assigning with another / Then it is refused
    with pytest.raises(EmbeddingError, match="different spaces"):
        assign_items(model, items("card", 1, 0), KeywordEmbedder(KNOWN, name="other"))
