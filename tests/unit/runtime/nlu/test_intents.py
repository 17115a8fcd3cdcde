from __future__ import annotations

import pytest

from rehearsal.runtime.nlu import IntentRecognizer
from rehearsal.runtime.nlu.intents import IntentLabel

EXAMPLES = [
    (IntentLabel("orders", "status"), ["where is my order", "track my package", "has my order shipped yet"]),
    (IntentLabel("orders", "cancel"), ["cancel my order", "I want to cancel the purchase", "stop my order"]),
    (
        IntentLabel("billing", "refund"),
        ["I want a refund", "give me my money back", "refund my order please"],
    ),
    (IntentLabel("triage", "goodbye"), ["bye", "thanks that's all", "goodbye"]),
    (IntentLabel("billing", "goodbye"), ["bye", "thanks that's all", "goodbye"]),
]


@pytest.fixture(scope="module")
def recognizer() -> IntentRecognizer:
    return IntentRecognizer(EXAMPLES, threshold=0.3)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("where's my package?", "status"),
        ("Can you track order A1234", "status"),
        ("please cancel order A1002", "cancel"),
        ("I'd like my money back", "refund"),
        ("i want a refnd", "refund"),
    ],
)
def test_recognizes_paraphrases_and_typos(recognizer: IntentRecognizer, text: str, intent: str) -> None:
    assert recognizer.recognize(text).intent == intent


@pytest.mark.parametrize("text", ["what's the weather in Paris", "blah", ""])
def test_out_of_scope_below_threshold(recognizer: IntentRecognizer, text: str) -> None:
    match = recognizer.recognize(text)
    assert match.intent is None
    assert match.confidence < 0.3


def test_same_named_intent_prefers_the_active_agent(recognizer: IntentRecognizer) -> None:
    # Given two agents that both declare "goodbye"
    # When the billing agent is active
    match = recognizer.recognize("thanks, bye", prefer_agent="billing")
    # Then billing's goodbye wins
    assert (match.agent, match.intent) == ("billing", "goodbye")


def test_a_remembered_match_still_honours_the_preferred_agent(recognizer: IntentRecognizer) -> None:
    # Given the same text asked first without, then with, each preference
    texts = ["thanks that's all"] * 2
    # When
    agents = [
        recognizer.recognize(texts[0]).agent,
        recognizer.recognize(texts[1], prefer_agent="billing").agent,
        recognizer.recognize(texts[1], prefer_agent="triage").agent,
    ]
    # Then each preference gets its own answer
    assert agents[1:] == ["billing", "triage"]


def test_a_message_with_a_slip_in_each_long_word_is_recognized(recognizer: IntentRecognizer) -> None:
    # Given a paraphrase every long word of which is one slip away from a word of the examples
    typed, meant = "plaese cancle the purchsae", "please cancel the purchase"
    # When / Then it gets the intent and the confidence of the message as it was meant
    assert recognizer.recognize(typed).intent == "cancel"
    assert recognizer.recognize(typed).confidence == pytest.approx(recognizer.recognize(meant).confidence)
