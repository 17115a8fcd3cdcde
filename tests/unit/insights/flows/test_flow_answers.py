from __future__ import annotations

import random

import pytest
from refund_corpus import refund_corpus

from rehearsal.insights.flows import discover_flows
from rehearsal.insights.flows.answers import (
    extract_value,
    fact_for,
    infer_slot_type,
    question_cue,
    slot_for_step,
    synthesize,
)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (["yes please", "no", "yeah sure"], ("yes_no", None)),
        (["It is A1000", "order B2345", "C9999"], ("id", None)),
        (["mail me at [EMAIL_1]", "[EMAIL_2]"], ("email", None)),
        (["it's [ACCOUNT_1]", "[ACCOUNT_1] I think"], ("id", r"^\d{8}$")),
        (["I would rather not say why", "because it broke after a week of use"], ("text", None)),
    ],
)
def test_slot_type_is_what_most_answers_read_as(answers: list[str], expected: tuple[str, str | None]) -> None:
    assert infer_slot_type(answers) == expected


def test_questions_get_typed_slots_and_visitor_facts() -> None:
    # Given the refund flows
    asks = {a.step: a for a in discover_flows(refund_corpus(), group_by="task").groups[0].asks}
    # Then the order question reads ids into the visitor's built-in `order_id` fact, the confirmation yes/no
    assert (asks["ask_order"].slot, asks["ask_order"].type, asks["ask_order"].fact) == (
        "order",
        "id",
        "order_id",
    )
    assert asks["confirm_refund"].type == "yes_no"


def test_values_are_read_as_the_slot_reads_them() -> None:
    assert extract_value("Sure, it's A1013.", "id") == "A1013"
    assert extract_value("yes please", "yes_no") == "yes"
    assert extract_value("  just   some text ", "text") == "just some text"


def test_synthetic_values_are_consistent_within_a_conversation() -> None:
    chosen: dict[str, str] = {}
    rng = random.Random(0)
    first = synthesize("I am [NAME_1], mail [EMAIL_1]", chosen, rng)
    again = synthesize("[NAME_1] again", chosen, rng)
    assert "[" not in first
    assert again.startswith(first.split(",")[0].removeprefix("I am "))
    assert "visitor1@example.com" in first


def test_fact_names_follow_the_visitor_vocabulary() -> None:
    assert fact_for("What is your email address?", "x") == "email"
    assert fact_for("Which colour do you like?", "colour") == "colour"
    assert slot_for_step("bank_ask_pin") == "bank_pin"


@pytest.mark.parametrize(
    ("question", "cue"),
    [
        ("Your order can be refunded. Shall I go ahead?", r"Shall\ I\ go\ ahead\?"),
        ("Could you tell me your order number, please?", r"Could\ you\ tell\ me"),
        ("Right, and your PIN as well please.", r"Right,\ and\ your\ PIN"),
    ],
)
def test_the_cue_is_the_asking_sentence(question: str, cue: str) -> None:
    assert question_cue(question) == cue
