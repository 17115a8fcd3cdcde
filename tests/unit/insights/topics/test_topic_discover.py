"""Topic discovery end to end on a tiny example domain (fake embedder, real clustering and labelling)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes import INTENTS, KeywordEmbedder, phrasings

from rehearsal.insights.conversation import Outcome
from rehearsal.insights.topics import TopicItem, TopicsError, discover_topics
from rehearsal.insights.topics.models import NOVEL

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def corpus() -> list[TopicItem]:
    items = []
    sizes = {"card": 40, "refund": 30, "pin": 20, "transfer": 10}
    for keyword, size in sizes.items():
        for number, text in enumerate(phrasings(keyword, size)):
            escalated = keyword == "refund" and number % 2 == 0
            items.append(
                TopicItem(
                    id=f"{keyword}-{number}",
                    text=text,
                    outcome=Outcome.ESCALATED if escalated else Outcome.RESOLVED,
                    handle_time_seconds=60.0 * (1 + number % 3),
                    turns=6,
                )
            )
    return items


@pytest.fixture(scope="module")
def run():
    return discover_topics(corpus(), KeywordEmbedder(list(INTENTS)), now=NOW)


def topic_of(run, item_id: str) -> int:
    return next(a.topic for a in run.assignments if a.id == item_id)


def test_each_intent_becomes_one_topic(run) -> None:
    # Given four intents of different sizes / When discovered without K
    # Then there are four topics, and members of one intent share one
    assert len(run.model.topics) == 4
    for keyword in INTENTS:
        assert len({topic_of(run, f"{keyword}-{n}") for n in range(10)}) == 1


def test_topics_are_labelled_with_their_distinctive_keywords(run) -> None:
    # Given the discovered topics / Then each label carries its intent's keyword
    for keyword in INTENTS:
        topic = run.model.topics[topic_of(run, f"{keyword}-0")]
        assert keyword in topic.keywords[:3]
        assert keyword in topic.label
        assert all(keyword in text for text in topic.representatives)


def test_volume_share_and_outcome_rates_are_per_topic(run) -> None:
    # Given the refund topic, half escalated / Then its stats say so
    refund = run.model.topics[topic_of(run, "refund-0")]
    assert refund.stats.volume == 30
    assert refund.stats.share == pytest.approx(0.3)
    assert refund.stats.escalation_rate == 0.5
    assert refund.stats.resolution_rate == 0.5
    assert refund.stats.median_handle_time_seconds == 120.0


def test_opportunities_are_ranked_by_contained_volume(run) -> None:
    # Given the opportunity table / Then it is ordered by volume × containment, with escalations counted
    table = run.model.opportunities
    assert [row.rank for row in table] == [1, 2, 3, 4]
    contained = [row.contained_volume for row in table]
    assert contained == sorted(contained, reverse=True)
    refund = next(row for row in table if row.topic == topic_of(run, "refund-0"))
    assert refund.estimated_containment == pytest.approx(refund.readiness * 0.5, abs=1e-3)


def test_readiness_is_explained_by_its_factors(run) -> None:
    # Given a topic's readiness / Then every factor has a value and a reason, and the score is their mean
    readiness = run.model.topics[0].readiness
    names = [factor.name for factor in readiness.factors]
    assert names == ["consistency", "distinctness", "resolution", "brevity"]
    weighted = sum(f.value * f.weight for f in readiness.factors) / sum(f.weight for f in readiness.factors)
    assert readiness.score == pytest.approx(weighted, abs=1e-3)
    assert "resolved by agents" in readiness.explanation


def test_hierarchy_and_look_alikes_refer_to_real_topics(run) -> None:
    # Given the parents and look-alike pairs / Then every topic has one parent and pairs name real topics
    children = sorted(child for parent in run.model.parents for child in parent.children)
    assert children == [topic.id for topic in run.model.topics]
    assert all(topic.parent is not None for topic in run.model.topics)
    ids = {topic.id for topic in run.model.topics}
    assert run.model.look_alikes
    for pair in run.model.look_alikes:
        assert set(pair.topics) <= ids and pair.topics[0] != pair.topics[1]


def test_items_without_text_are_reported_novel_not_dropped() -> None:
    # Given a corpus with one empty text
    items = [*corpus(), TopicItem(id="blank", text="   ")]
    # When discovered
    run = discover_topics(items, KeywordEmbedder(list(INTENTS)), now=NOW)
    # Then every item has an assignment and the blank one has none
    assert len(run.assignments) == len(items)
    assert topic_of(run, "blank") == NOVEL


def test_a_corpus_without_text_gets_a_clear_message() -> None:
    with pytest.raises(TopicsError, match="no item has any text"):
        discover_topics([TopicItem(id="a", text="")], KeywordEmbedder(["x"]))
