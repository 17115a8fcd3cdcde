""" "What changed?": the monitor's anomalies, each cited with turns of conversations that show it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from rehearsal.analyst import AnalystContext, answer
from rehearsal.analyst.changes import changes_answer
from rehearsal.analyst.classify import classify
from rehearsal.analyst.evidence import TurnBook, cited_ids
from rehearsal.analyst.models import AnswerKind
from rehearsal.analyst.turns import corpus_turns
from rehearsal.insights.conversation import Conversation

FIRST_DAY = datetime(2026, 2, 2, tzinfo=UTC)  # a Monday
SPIKE_DAY = 34


def _month(*, spike: bool) -> list[Conversation]:
    """Five weeks of 40 conversations a day, 8 % escalated — 60 % on the spike day, when asked for."""
    rng = random.Random(3)
    conversations = []
    for day in range(36):
        rate = 0.6 if spike and day == SPIKE_DAY else 0.08
        for n in range(40):
            escalated = rng.random() < rate
            last = "Let me transfer you to a colleague." if escalated else "Done, anything else?"
            conversations.append(
                Conversation.model_validate(
                    {
                        "id": f"d{day:02d}-{n:02d}",
                        "started_at": (FIRST_DAY + timedelta(days=day, minutes=10 * n)).isoformat(),
                        "outcome": "escalated" if escalated else "resolved",
                        "turns": [
                            {"speaker": "customer", "text": "My parcel never came."},
                            {"speaker": "ai_agent", "text": last},
                        ],
                    }
                )
            )
    return conversations


@pytest.mark.parametrize(
    "question", ["What changed this week?", "Anything unusual lately?", "Did escalations spike?"]
)
def test_questions_about_change_go_to_the_monitor(question: str) -> None:
    assert classify(question).changes


def test_other_questions_do_not(question: str = "Which topic has the highest escalation rate?") -> None:
    assert not classify(question).changes


def test_a_spike_is_named_with_its_figures_and_cites_turns_that_show_it() -> None:
    # Given five weeks with an escalation spike on the last Saturday but one
    conversations = _month(spike=True)
    book = TurnBook(corpus_turns(conversations))
    # When asked what changed
    result = changes_answer("What changed?", conversations, {}, book, source="test")
    # Then the spike leads, with its rate against the usual one, citing the hand-over turns
    spike_day = (FIRST_DAY + timedelta(days=SPIKE_DAY)).date().isoformat()
    assert result.kind is AnswerKind.AGGREGATE
    lead = result.claims[0]
    assert lead.text.startswith(f"{spike_day}: escalation rate (overall) went up")
    assert lead.citations and all(cid.endswith("#1") for cid in lead.citations)
    assert {citation.quote for citation in result.citations} == {"Let me transfer you to a colleague."}
    assert set(cited_ids(result.answer)) == {c.id for c in result.citations}


def test_a_steady_month_is_said_to_be_steady() -> None:
    conversations = _month(spike=False)
    book = TurnBook(corpus_turns(conversations))
    result = changes_answer("What changed?", conversations, {}, book, source="t")
    assert result.answer.startswith("No unusual change in 1440 conversation(s) over 36 day(s)")
    assert not result.claims


def test_a_corpus_without_times_says_so(context: AnalystContext, conversations: list[Conversation]) -> None:
    # Given conversations with no time at all
    undated = [c.model_copy(update={"started_at": None}) for c in conversations]
    # When asked through the analyst
    result = answer("What changed recently?", AnalystContext(**{**vars(context), "conversations": undated}))
    # Then it says why it cannot tell
    assert result.low_evidence
    assert result.answer.startswith("No dated conversation")
