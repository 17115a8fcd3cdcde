"""Reading a question: aggregate or evidential, and the metric, grouping, order and filters it names."""

from __future__ import annotations

import pytest

from rehearsal.analyst.classify import GroupBy, Metric, classify
from rehearsal.insights.conversation import Outcome


@pytest.mark.parametrize(
    ("question", "metric", "group_by", "descending"),
    [
        ("Which topic has the highest escalation rate?", Metric.ESCALATION, GroupBy.TOPIC, True),
        ("How many conversations were escalated?", Metric.ESCALATION, GroupBy.NONE, None),
        ("What share of chats are abandoned?", Metric.ABANDONMENT, GroupBy.NONE, None),
        ("Which channel has the lowest satisfaction?", Metric.SATISFACTION, GroupBy.CHANNEL, False),
        ("Which topic has the most conversations?", Metric.VOLUME, GroupBy.TOPIC, True),
        ("What is the median handle time per channel?", Metric.HANDLE_TIME, GroupBy.CHANNEL, None),
        ("What are the most common reasons people get in touch?", Metric.VOLUME, GroupBy.TOPIC, True),
    ],
)
def test_questions_asking_for_numbers_are_aggregate(
    question: str, metric: Metric, group_by: GroupBy, descending: bool | None
) -> None:
    # Given a question about counts, shares or rankings / When it is classified
    plan = classify(question)

    # Then it is computed, on the metric and grouping it names
    assert plan.aggregate
    assert (plan.metric, plan.group_by, plan.descending) == (metric, group_by, descending)


@pytest.mark.parametrize(
    "question",
    [
        "Why do customers escalate about refunds?",
        "What do customers say about the courier?",
        "Why are deliveries late?",
    ],
)
def test_questions_asking_why_or_what_was_said_are_evidential(question: str) -> None:
    # Given a why / what-do-they-say question / When it is classified
    plan = classify(question)

    # Then it is answered from evidence
    assert not plan.aggregate


def test_an_evidential_question_carries_its_outcome_speaker_and_subject() -> None:
    # Given a question about what escalating customers say about refunds
    plan = classify("What do customers say about refunds when they escalate?")

    # Then retrieval can narrow to escalated customer turns about refunds
    assert plan.outcome is Outcome.ESCALATED
    assert plan.speaker == "customer"
    assert plan.subject == ["refunds"]
    assert plan.keywords == ["refunds", "escalate"]
