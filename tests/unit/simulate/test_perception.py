from __future__ import annotations

import pytest

from rehearsal.simulate.visitors.perception import Perception, builtin_facts, label_of

PERCEPTION = Perception(["order_id", "email", "loyalty_number", "new_address"], fallback=builtin_facts())


@pytest.mark.parametrize(
    ("agent", "requested"),
    [
        ("What is your order number?", ["order_id"]),
        ("Could you please confirm the email on the order?", ["email"]),
        ("Please provide your order number and the email address on the account.", ["order_id", "email"]),
        ("What's your loyalty number?", ["loyalty_number"]),
        ("I couldn't find an order A1003. Could you double-check the number?", ["order_id"]),
        ("May I have your date of birth?", ["date_of_birth"]),
        ("What is the new shipping address, with street, city and ZIP code?", ["new_address"]),
        ("What's the zip code?", ["zip_code"]),
        ("I've sent a confirmation to your email.", []),
        ("Your order A1001 has shipped.", []),
    ],
)
def test_requests_for_facts_are_recognised(agent: str, requested: list[str]) -> None:
    # Given an agent message / When heard / Then the facts asked for are recognised, in order
    assert PERCEPTION.hear(agent).requested == requested


@pytest.mark.parametrize(
    ("agent", "flag"),
    [
        ("Shall I go ahead and refund order A1001?", "yes_no"),
        ("Would you like me to cancel it?", "yes_no"),
        ("Just to confirm: cancel order A1002 (Mouse, 49.0 USD)?", "yes_no"),
        ("Hello! How can I help you today?", "open_question"),
        ("Is there anything else I can help with?", "anything_else"),
        ("Unfortunately I can't refund that order.", "denial"),
        ("Our policy only allows refunds within 30 days.", "policy"),
        ("Sorry, I didn't catch that. Could you rephrase?", "fallback"),
        ("Let me connect you with a colleague.", "handoff"),
    ],
)
def test_agent_acts_are_recognised(agent: str, flag: str) -> None:
    # Given an agent message / When heard / Then the act it carries is recognised
    assert getattr(PERCEPTION.hear(agent), flag) is True


def test_a_rephrase_request_is_not_a_yes_no_question() -> None:
    # Given the fallback "could you rephrase?" / When heard / Then it is a fallback, not a question to affirm
    heard = PERCEPTION.hear("Sorry, I didn't catch that. Could you rephrase?")
    assert heard.yes_no is False


@pytest.mark.parametrize(("fact", "label"), [("order_id", "order number"), ("loyalty_id", "loyalty number")])
def test_labels(fact: str, label: str) -> None:
    assert label_of(fact) == label


def test_hearing_a_line_again_gives_a_fresh_reading() -> None:
    # Given a reading that its caller changes
    first = PERCEPTION.hear("What is your order number?")
    first.requested.append("email")
    first.yes_no = True
    # When the same line is heard again
    second = PERCEPTION.hear("What is your order number?")
    # Then it is read anew
    assert (second.requested, second.yes_no) == (["order_id"], False)


def test_the_same_line_is_read_by_each_visitor_s_own_facts() -> None:
    # Given two visitors told about different facts
    line = "What's your loyalty number?"
    # When
    with_fact = Perception(["loyalty_number"]).hear(line).requested
    without = Perception(["order_id"]).hear(line).requested
    # Then
    assert (with_fact, without) == (["loyalty_number"], [])
