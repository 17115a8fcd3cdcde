from __future__ import annotations

from typing import Any

import pytest

from rehearsal.evaluate.behaviours import Transcript, compile_behaviours, fingerprint, parse_behaviours
from rehearsal.evaluate.criticality import Criticality
from rehearsal.insights.conversation import Conversation

from ..builders import BLOCKED, OK, conversation

UPSET = {
    "patterns": [r"\b(furious|ridiculous|unacceptable)\b"],
    "positive": ["this is ridiculous", "I am so angry", "worst service ever"],
    "negative": ["I'd like a refund", "my order number is A1001", "thanks"],
}
EMPATHY = {
    "patterns": [r"\b(sorry|apologi[sz]e)\b", r"\bI understand\b"],
    "positive": ["that must be frustrating", "I can see why you are upset"],
    "negative": ["What is your order number?", "Your refund has been issued.", "Hello, how can I help?"],
}
BEHAVIOURS: list[dict[str, Any]] = [
    {
        "id": "empathy_when_upset",
        "description": "Expressed empathy when the customer is upset",
        "trigger": {"kind": "customer_says", "classifier": UPSET},
        "detector": {"kind": "agent_says", "classifier": EMPATHY},
    },
    {
        "id": "greeted",
        "description": "Greeted the customer",
        "trigger": {"kind": "conversation_start"},
        "detector": {
            "kind": "agent_says",
            "classifier": {"patterns": [r"^(hi|hello|good (morning|afternoon))\b"]},
        },
    },
    {
        "id": "verified_identity_before_account_change",
        "description": "Verified identity before any account change",
        "criticality": "critical",
        "trigger": {"kind": "tool_call", "side_effects": True},
        "detector": {"kind": "verified_before", "tools": ["verify_identity"], "facts": ["identity_verified"]},
    },
]


def _book(labels: dict[str, dict[str, bool]] | None = None):
    return compile_behaviours(parse_behaviours(BEHAVIOURS), labels)


def _transcript(*turns, calls=(), facts=()) -> Transcript:
    return Transcript.from_state(conversation(*turns, calls=calls, facts=facts), {"refund_order"})


def test_empathy_after_an_upset_customer_passes_with_the_agent_turn_as_evidence():
    # Given
    transcript = _transcript(
        ("customer", "This is ridiculous, my parcel is lost!"),
        ("agent", "I'm so sorry, let me look into it."),
    )

    # When
    result = _book().judge("empathy_when_upset").judge(transcript)

    # Then
    assert result.passed and result.applicable
    assert [e.turn for e in result.evidence] == [0, 1]


def test_no_empathy_after_an_upset_customer_fails_quoting_both_turns():
    transcript = _transcript(("customer", "This is ridiculous!"), ("agent", "What is your order number?"))
    result = _book().judge("empathy_when_upset").judge(transcript)
    assert result.passed is False
    assert [e.quote for e in result.evidence] == ["This is ridiculous!", "What is your order number?"]


def test_a_calm_customer_does_not_trigger_the_empathy_requirement():
    transcript = _transcript(
        ("customer", "I'd like a refund please"), ("agent", "What is your order number?")
    )
    result = _book().judge("empathy_when_upset").judge(transcript)
    assert not result.applicable and result.passed is None


def test_every_upset_turn_needs_empathy_unless_once_is_enough():
    # Given empathy after the first outburst only
    turns = (
        ("customer", "This is ridiculous!"),
        ("agent", "I'm sorry about that."),
        ("customer", "Unacceptable, I'm furious"),
        ("agent", "What is your order number?"),
    )
    once = [dict(BEHAVIOURS[0], every_time=False)]

    # When
    every = _book().judge("empathy_when_upset").judge(_transcript(*turns))
    any_time = (
        compile_behaviours(parse_behaviours(once)).judge("empathy_when_upset").judge(_transcript(*turns))
    )

    # Then
    assert every.passed is False and any_time.passed is True


def test_a_forbidden_behaviour_fails_when_the_agent_shows_it():
    transcript = _transcript(("agent", "Hello there"), ("customer", "hi"))
    result = _book().judge("greeted").judge(transcript, forbidden=True, requirement_id="no_greeting")
    assert result.passed is False and result.requirement_id == "no_greeting"


@pytest.mark.parametrize(
    ("calls", "facts", "passed"),
    [
        ([("verify_identity", {}, OK, 1), ("refund_order", {}, OK, 3)], [], True),
        ([("refund_order", {}, OK, 1)], [], False),
        ([("verify_identity", {}, BLOCKED, 1), ("refund_order", {}, OK, 3)], [], False),
        ([("refund_order", {}, OK, 3)], [("identity_verified", "check_pin", 1)], True),
        ([("refund_order", {}, OK, 1), ("verify_identity", {}, OK, 3)], [], False),
    ],
)
def test_verification_must_succeed_before_the_first_account_change(calls, facts, passed):
    # Given
    transcript = _transcript(
        ("customer", "refund"),
        ("agent", "ok"),
        ("customer", "yes"),
        ("agent", "done"),
        calls=calls,
        facts=facts,
    )

    # When
    result = _book().judge("verified_identity_before_account_change").judge(transcript)

    # Then
    assert result.passed is passed
    assert result.confidence == 1.0
    assert result.criticality is Criticality.CRITICAL


def test_no_account_change_means_verification_was_not_required():
    result = _book().judge("verified_identity_before_account_change").judge(_transcript(("customer", "hi")))
    assert not result.applicable


def test_behaviours_judge_a_human_agent_transcript_the_same_way():
    # Given a historical conversation served by a person, with a refund made without verification
    human = Conversation.model_validate(
        {
            "id": "h1",
            "turns": [
                {"speaker": "customer", "text": "This is ridiculous, where is my refund?"},
                {
                    "speaker": "human_agent",
                    "text": "I understand, sorry for the wait.",
                    "tool_calls": [{"name": "refund_order"}],
                },
            ],
        }
    )

    # When
    results = {
        r.requirement_id: r
        for r in _book().judge_all(Transcript.from_historical(human, {"refund_order"}), agent="human")
    }

    # Then
    assert results["behaviour:empathy_when_upset"].passed is True
    assert results["behaviour:verified_identity_before_account_change"].passed is False


def test_an_uncertain_verdict_names_the_turn_to_review_and_a_label_settles_it():
    # Given an agent turn the model is unsure about
    text = "Let me see what happened with it."
    transcript = _transcript(("customer", "This is ridiculous!"), ("agent", text))
    unsure = _book().judge("empathy_when_upset").judge(transcript)
    assert unsure.review is not None and unsure.confidence < 0.7
    assert unsure.review.fingerprint == fingerprint("empathy_when_upset", text)

    # When a reviewer says the turn does show empathy
    settled = _book({"empathy_when_upset": {text: True}}).judge("empathy_when_upset").judge(transcript)

    # Then
    assert settled.passed is True and settled.confidence == 1.0 and settled.review is None


def test_compiled_behaviours_are_reused_for_the_same_definitions_and_labels():
    assert _book() is _book()
    assert _book() is not _book({"empathy_when_upset": {"x": True}})


def test_an_unknown_behaviour_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown behaviour 'nope'; defined: empathy_when_upset, greeted"):
        _book().judge("nope")


def test_calls_recorded_without_telemetry_events_still_count():
    # Given a state whose tool calls carry no ToolCalled events
    state = conversation(("customer", "refund"), ("agent", "done"), calls=[("refund_order", {}, OK, 1)])
    state.events.clear()

    # When
    result = (
        _book()
        .judge("verified_identity_before_account_change")
        .judge(Transcript.from_state(state, {"refund_order"}))
    )

    # Then
    assert result.passed is False
