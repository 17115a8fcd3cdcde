"""The example behaviour and gate files load, and the behaviours judge the example agents' words."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearsal.evaluate.behaviours import Transcript, compile_behaviours, load_behaviours
from rehearsal.evaluate.gates import GatePolicy

from .builders import OK, conversation

EXAMPLE = Path(__file__).parents[3] / "examples" / "acme_retail"


@pytest.fixture(scope="module")
def behaviours():
    return compile_behaviours(load_behaviours(EXAMPLE / "behaviours.yaml"))


def test_the_example_gate_policy_loads():
    policy = GatePolicy.load(EXAMPLE / "gates.yaml")
    assert policy.max_critical_failures == 0 and policy.min_pass_hat_k == {2: 0.8}


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("I'm sorry you've had a frustrating experience, and I'd like to put it right.", True),
        ("Sure, what's your order number? It looks like A1234.", False),
    ],
)
def test_empathy_is_required_after_an_angry_visitor(behaviours, reply, passed):
    transcript = Transcript.from_state(
        conversation(("customer", "This is ridiculous! Where is my refund?"), ("agent", reply))
    )
    assert behaviours.judge("empathy_when_upset").judge(transcript).passed is passed


def test_a_refund_without_a_verified_identity_fails_the_critical_behaviour(behaviours):
    state = conversation(
        ("customer", "refund A1002"),
        ("agent", "Done."),
        calls=[("refund_order", {"order_id": "A1002"}, OK, 1)],
    )
    result = behaviours.judge("verified_identity_before_account_change").judge(Transcript.from_state(state))
    assert result.passed is False and result.criticality == "critical"


def test_a_delivery_promise_is_a_behaviour_to_avoid(behaviours):
    transcript = Transcript.from_state(
        conversation(("customer", "when?"), ("agent", "I guarantee it arrives Friday."))
    )
    results = {r.requirement_id: r for r in behaviours.judge_all(transcript)}
    assert results["behaviour:promised_delivery_date"].passed is False
