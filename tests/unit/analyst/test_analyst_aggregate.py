"""Aggregate answers on the hand-made corpus: 12 conversations, 4 escalated (3 of 4 refund requests,
1 of 4 deliveries), 2 abandoned, channels chat 8 / voice 3 / email 1."""

from __future__ import annotations

import pytest

from rehearsal.analyst import AnalystContext, answer
from rehearsal.analyst.models import AnswerKind, Figure


def _figures(figures: list[Figure]) -> dict[str, tuple[int, int]]:
    return {figure.group: (figure.count, figure.total) for figure in figures}


def test_the_topic_with_the_highest_escalation_rate_comes_first_with_its_numbers(
    context: AnalystContext,
) -> None:
    # When asked which topic escalates most
    result = answer("Which topic has the highest escalation rate?", context)

    # Then refund requests lead with 3 of 4, and every topic's figure is shown
    assert result.kind is AnswerKind.AGGREGATE
    assert result.figures[0].group == "refund request"
    assert result.figures[0].rate == pytest.approx(0.75)
    assert _figures(result.figures) == {
        "refund request": (3, 4),
        "delivery status": (1, 4),
        "lost card": (0, 4),
    }
    assert "3 of 4 escalated (75.0%)" in result.answer


def test_an_overall_count_is_the_number_of_conversations_with_the_outcome(context: AnalystContext) -> None:
    # When asked how many conversations were escalated
    result = answer("How many conversations were escalated?", context)

    # Then it is 4 of 12
    assert _figures(result.figures) == {"all conversations": (4, 12)}
    assert result.figures[0].rate == pytest.approx(1 / 3)


def test_aggregate_examples_cite_conversations_that_show_the_figure(context: AnalystContext) -> None:
    # When asked for the escalation rate by topic
    result = answer("Which topic has the highest escalation rate?", context)

    # Then the examples are escalated refund requests, cited at the customer's opening request
    assert [c.conversation_id for c in result.citations] == ["r1", "r2", "r4"]
    assert all(c.outcome == "escalated" and c.speaker == "customer" for c in result.citations)
    assert result.citations[0].quote == "I want a refund for my order, it arrived broken."


def test_a_ranking_by_mean_satisfaction_orders_lowest_first_when_asked(context: AnalystContext) -> None:
    # When asked which channel has the lowest satisfaction
    result = answer("Which channel has the lowest satisfaction?", context)

    # Then chat (mean of 0.2, 0.1, 0.8, 0.9, 0.6, 0.2) comes first
    assert [f.group for f in result.figures] == ["chat", "voice", "email"]
    assert result.figures[0].value == pytest.approx(2.8 / 6)


def test_a_subject_in_the_question_narrows_the_count(context: AnalystContext) -> None:
    # When asked how many customers asked about refunds
    result = answer("How many customers asked about refunds?", context)

    # Then the 4 refund conversations are counted out of 12, and the answer says how it counted
    assert [(f.count, f.total) for f in result.figures] == [(4, 12)]
    assert any("refund" in note for note in result.notes)


def test_a_question_by_topic_without_topics_says_topics_are_unknown(context: AnalystContext) -> None:
    # Given a corpus whose topics were never discovered
    context.topics = {}

    # When asked by topic
    result = answer("Which topic has the highest escalation rate?", context)

    # Then it shows the overall figure and says how to get topics
    assert _figures(result.figures) == {"all conversations": (4, 12)}
    assert any("topics are unknown" in note for note in result.notes)
