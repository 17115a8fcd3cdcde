from __future__ import annotations

import pytest
from refund_corpus import refund_corpus

from rehearsal.insights.conversation import Outcome
from rehearsal.insights.flows import discover_flows
from rehearsal.insights.flows.decisions import effective_outcome
from rehearsal.insights.flows.models import LabelledConversation, StepEvent, StepKind


def _group():
    return discover_flows(refund_corpus(), group_by="task").groups[0]


def test_a_branch_after_a_call_is_driven_by_the_tool_result() -> None:
    # Given the refund flows
    group = _group()
    # When the decision point after the check is read
    point = next(p for p in group.decision_points if p.step == "call:orders:check")
    # Then its branches follow the status the call returned
    assert point.driver == "tool_result"
    branches = {b.to: b.results for b in point.branches}
    assert branches == {"confirm_refund": {"status=eligible": 13}, "deny_refund": {"status=ineligible": 5}}


def test_a_branch_after_a_question_is_cued_by_the_customer_words() -> None:
    group = _group()
    point = next(p for p in group.decision_points if p.step == "confirm_refund")
    cues = {b.to: b.cues for b in point.branches}
    assert point.driver == "customer"
    assert "yes" in cues["call:orders:refund"]
    assert "no" in cues["anything_else"]


def test_derail_points_name_where_escalations_and_abandonments_happen() -> None:
    group = _group()
    points = {(p.step, p.outcome): p for p in group.derail_points}
    assert points[("anything_else", Outcome.ESCALATED)].count == 3
    assert points[("deny_refund", Outcome.ABANDONED)].examples == ["c18", "c19"]


def test_main_path_follows_the_most_taken_transitions() -> None:
    assert _group().main_path == [
        "ask_order",
        "call:orders:check",
        "confirm_refund",
        "call:orders:refund",
        "refund_done",
        "anything_else",
    ]


def test_dominant_paths_are_counted_with_their_share() -> None:
    top = _group().paths[0]
    assert top.count == 10
    assert top.share == 0.5


@pytest.mark.parametrize(
    ("last_words", "outcome"),
    [
        ("Let me transfer you to a colleague who can help.", Outcome.ESCALATED),
        ("I'm connecting you with our billing team now.", Outcome.ESCALATED),
        ("Is there anything else I can help with?", Outcome.UNKNOWN),
    ],
)
def test_a_hand_over_in_the_agent_words_counts_when_no_outcome_was_recorded(
    last_words: str, outcome: Outcome
) -> None:
    # Given a conversation with no recorded outcome whose last agent words are these
    events = [StepEvent(step="handover", kind=StepKind.SAY, turn=1, text=last_words)]
    conversation = LabelledConversation(conversation_id="x", group="g", events=events)
    # Then the outcome read from it is
    assert effective_outcome(conversation) is outcome
