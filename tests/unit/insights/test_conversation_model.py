"""The historical conversation model's derived views."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker


def conversation(*texts: tuple[Speaker, str]) -> Conversation:
    return Conversation(id="c", turns=[HistoricalTurn(speaker=s, text=t) for s, t in texts])


@pytest.mark.parametrize(
    ("turns", "reason"),
    [
        (
            [(Speaker.CUSTOMER, "Hi"), (Speaker.HUMAN_AGENT, "Hello!"), (Speaker.CUSTOMER, "I lost my card")],
            "I lost my card",
        ),
        ([(Speaker.CUSTOMER, "I lost my card yesterday")], "I lost my card yesterday"),
        (
            [(Speaker.CUSTOMER, "hello"), (Speaker.CUSTOMER, "card"), (Speaker.CUSTOMER, "it is lost")],
            "card it is lost",
        ),
        ([(Speaker.CUSTOMER, "Hi there")], "Hi there"),
    ],
)
def test_the_contact_reason_skips_greetings_and_gathers_a_few_content_words(turns, reason: str) -> None:
    # Given a conversation's opening / When its contact reason is read / Then greetings are skipped
    assert conversation(*turns).contact_reason == reason


def test_handle_time_spans_the_first_to_the_last_timed_turn() -> None:
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    turns = [
        HistoricalTurn(speaker=Speaker.CUSTOMER, text="a", time=start),
        HistoricalTurn(speaker=Speaker.HUMAN_AGENT, text="b"),
        HistoricalTurn(speaker=Speaker.HUMAN_AGENT, text="c", time=start.replace(minute=5)),
    ]
    assert Conversation(id="c", turns=turns).handle_time_seconds == 300.0
