from __future__ import annotations

from typing import Any

import pytest

from rehearsal.evaluate.checks import (
    EndReasonCheck,
    EndStateCheck,
    EvaluationContext,
    ForbiddenCallsCheck,
    GuardrailsCheck,
    RoutesCheck,
    SchemaCheck,
    ToolCallsCheck,
    TurnLimitCheck,
    match_required_calls,
)
from rehearsal.evaluate.criticality import Criticality
from rehearsal.runtime.events import GuardrailTriggered, Handoff, IntentRecognized, ToolCallStatus
from rehearsal.runtime.state import ConversationState
from rehearsal.simulate.records import FaultKind, InjectedFault

from .builders import BLOCKED, OK, conversation, record, scenario

REFUND = ("refund_order", {"order_id": "A1001", "amount": 25.0}, OK, 3)
VERIFY = ("verify_identity", {"email": "ann@example.com"}, OK, 1)


def _ctx(
    state: ConversationState, world_after: dict[str, Any] | None = None, **expect: Any
) -> EvaluationContext:
    return EvaluationContext(
        record=record(state, world_after=world_after), state=state, scenario=scenario(**expect)
    )


# --- end state ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assertion", "passed"),
    [
        ({"path": "orders.A1001.status", "value": "refunded"}, True),
        ({"path": "orders.A1001.status", "value": "shipped"}, False),
        ({"path": "orders.A1001.refund", "op": "approx", "value": 25.004, "tolerance": 0.01}, True),
        ({"path": "orders.A1001.refund", "op": "approx", "value": 24.0, "tolerance": 0.01}, False),
        ({"path": "orders.A1001.note", "op": "missing"}, True),
        ({"path": "orders.A1001.status", "op": "matches", "value": "^refund"}, True),
        ({"path": "orders.A1001.refund", "op": "gt", "value": 30}, False),
    ],
)
def test_end_state_assertions_read_the_world_after_the_conversation(assertion, passed):
    # Given
    world = {"orders": {"A1001": {"status": "refunded", "refund": 25.0}}}

    # When
    [result] = EndStateCheck().evaluate(_ctx(conversation(), world, end_state=[assertion]))

    # Then
    assert result.passed is passed
    assert result.evidence[0].quote.startswith(assertion["path"])


def test_a_failed_end_state_says_what_the_value_was():
    world = {"orders": {"A1001": {"status": "shipped"}}}
    [result] = EndStateCheck().evaluate(
        _ctx(conversation(), world, end_state=[{"path": "orders.A1001.status", "value": "refunded"}])
    )
    assert result.rationale == "orders.A1001.status is 'shipped'; expected eq 'refunded'"


# --- end reason --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "passed"), [("resolved", True), (["escalated", "resolved"], True), ("escalated", False)]
)
def test_end_reason_is_compared_with_the_expected_ones(expected, passed):
    state = conversation(("customer", "hi"), ("agent", "Bye!"), ended="resolved")
    [result] = EndReasonCheck().evaluate(_ctx(state, end_reason=expected))
    assert result.passed is passed
    assert result.evidence[0].quote == "Bye!"


# --- required tool calls -----------------------------------------------------------------------------------


def test_a_required_call_with_matching_arguments_passes_with_the_call_as_evidence():
    # Given
    state = conversation(calls=[VERIFY, REFUND])
    ctx = _ctx(
        state,
        tool_calls=[
            {
                "tool": "refund_order",
                "args": {"order_id": "a1001", "amount": {"approx": 25, "tolerance": 0.5}},
            }
        ],
    )

    # When
    [result] = ToolCallsCheck().evaluate(ctx)

    # Then
    assert result.passed
    assert result.evidence[0].tool_call_id == "call1"


def test_a_required_call_with_a_wrong_argument_fails_naming_the_argument():
    state = conversation(calls=[REFUND])
    ctx = _ctx(state, tool_calls=[{"tool": "refund_order", "args": {"order_id": {"regex": "^B"}}}])
    [result] = ToolCallsCheck().evaluate(ctx)
    assert not result.passed
    assert "wrong arguments order_id='A1001'" in result.rationale


def test_a_required_call_never_made_fails():
    [result] = ToolCallsCheck().evaluate(_ctx(conversation(), tool_calls=[{"tool": "refund_order"}]))
    assert not result.passed
    assert result.rationale == "refund_order was never called"


def test_a_blocked_call_does_not_satisfy_a_requirement_for_a_successful_one():
    state = conversation(calls=[("refund_order", {}, BLOCKED, 1)])
    [result] = ToolCallsCheck().evaluate(
        _ctx(state, tool_calls=[{"tool": "refund_order", "args": {"order_id": {"any": True}}}])
    )
    assert not result.passed
    assert "blocked" in result.rationale


def test_order_constraints_fail_when_the_calls_happen_the_wrong_way_round():
    # Given the refund happened before the verification
    state = conversation(calls=[REFUND, VERIFY])
    expect = [
        {"tool": "verify_identity", "id": "verify"},
        {"tool": "refund_order", "id": "refund", "after": ["verify"]},
    ]

    # When
    results = ToolCallsCheck().evaluate(_ctx(state, tool_calls=expect))

    # Then
    assert [r.passed for r in results] == [True, False]


def test_order_constraints_pass_when_the_calls_happen_in_order():
    state = conversation(calls=[VERIFY, REFUND])
    expect = [{"tool": "verify_identity", "id": "verify"}, {"tool": "refund_order", "after": ["verify"]}]
    assert [r.passed for r in ToolCallsCheck().evaluate(_ctx(state, tool_calls=expect))] == [True, True]


def test_tool_score_counts_precision_over_relevant_calls_and_recall_over_required_ones():
    # Given one refund required, two refunds made (one extra), and a lookup nobody asked about
    state = conversation(
        calls=[("lookup_order", {}, OK, 1), REFUND, ("refund_order", {"order_id": "A1002"}, OK, 5)]
    )
    ctx = _ctx(state, tool_calls=[{"tool": "refund_order", "args": {"order_id": "A1001"}}])

    # When
    score = match_required_calls(ctx).score

    # Then
    assert (score.expected, score.matched, score.actual, score.correct) == (1, 1, 2, 1)
    assert (score.recall, score.precision) == (1.0, 0.5)


# --- forbidden calls ---------------------------------------------------------------------------------------


def test_a_forbidden_call_that_happened_fails_with_the_call_as_evidence():
    [result] = ForbiddenCallsCheck().evaluate(
        _ctx(
            conversation(calls=[REFUND]),
            forbidden_tool_calls=[{"tool": "refund_order", "criticality": "critical"}],
        )
    )
    assert not result.passed
    assert result.criticality is Criticality.CRITICAL
    assert result.evidence[0].tool_call_id == "call0"


def test_a_forbidden_call_that_was_blocked_passes_unless_attempts_count():
    state = conversation(calls=[("refund_order", {}, BLOCKED, 1)])
    [lenient] = ForbiddenCallsCheck().evaluate(_ctx(state, forbidden_tool_calls=[{"tool": "refund_order"}]))
    [strict] = ForbiddenCallsCheck().evaluate(
        _ctx(state, forbidden_tool_calls=[{"tool": "refund_order", "even_attempted": True}])
    )
    assert lenient.passed and not strict.passed


# --- guardrails, schema, routes, turn limits ---------------------------------------------------------------


def test_a_guardrail_that_had_to_block_a_tool_is_a_critical_violation():
    # Given
    state = conversation(("customer", "refund now"), ("agent", "I need to verify you first."))
    state.events.append(
        GuardrailTriggered(
            turn=1, guardrail="precondition:refund_order", kind="tool_precondition", action="blocked"
        )
    )

    # When
    results = {r.requirement_id: r for r in GuardrailsCheck().evaluate(_ctx(state))}

    # Then
    violation = results["guardrail:tool_precondition"]
    assert not violation.passed and violation.criticality is Criticality.CRITICAL
    assert violation.evidence[0].turn == 1
    assert results["guardrail:forbidden_content"].passed


def test_invalid_arguments_fail_the_schema_check():
    state = conversation(calls=[("refund_order", {"amount": "lots"}, ToolCallStatus.INVALID_ARGUMENTS, 1)])
    results = {r.requirement_id: r for r in SchemaCheck().evaluate(_ctx(state))}
    assert not results["schema:arguments"].passed
    assert results["schema:results"].passed


def test_a_malformed_result_injected_as_a_fault_is_not_held_against_the_agent():
    # Given the only schema mismatch comes from an injected fault
    state = conversation(calls=[("lookup_order", {}, ToolCallStatus.SCHEMA_MISMATCH, 1)])
    rec = record(state)
    rec.faults.append(InjectedFault(tool="lookup_order", kind=FaultKind.MALFORMED, call_index=0))

    # When
    results = SchemaCheck().evaluate(EvaluationContext(record=rec, state=state, scenario=scenario()))

    # Then
    assert all(r.passed for r in results)


def test_a_schema_mismatch_that_was_not_injected_fails():
    state = conversation(calls=[("lookup_order", {}, ToolCallStatus.SCHEMA_MISMATCH, 1)])
    results = {r.requirement_id: r for r in SchemaCheck().evaluate(_ctx(state))}
    assert not results["schema:results"].passed


def test_a_route_to_the_expected_sub_agent_and_intent_passes():
    state = conversation(("customer", "refund please"), ("agent", "Billing here."))
    state.events.extend(
        [
            IntentRecognized(turn=0, intent="refund", confidence=0.9, agent="main"),
            Handoff(turn=1, from_agent="main", to_agent="billing"),
        ]
    )
    [result] = RoutesCheck().evaluate(_ctx(state, routes=[{"agent": "billing", "intent": "refund"}]))
    assert result.passed


def test_a_wrong_route_fails_naming_where_the_conversation_went():
    state = conversation(("customer", "refund please"), ("agent", "Sure."))
    state.events.append(Handoff(turn=1, from_agent="main", to_agent="shipping"))
    [result] = RoutesCheck().evaluate(_ctx(state, routes=[{"agent": "billing"}]))
    assert not result.passed
    assert "never reached agent billing (reached: shipping)" in result.rationale


@pytest.mark.parametrize(("limit", "passed"), [(2, True), (1, False)])
def test_turn_limits_count_agent_turns(limit, passed):
    state = conversation(("agent", "Hi"), ("customer", "refund"), ("agent", "Done"))
    [result] = TurnLimitCheck().evaluate(_ctx(state, max_turns=limit))
    assert result.passed is passed
    if not passed:
        assert result.evidence[0].turn == 2


def test_a_call_whose_prerequisite_never_happened_says_so():
    state = conversation(calls=[REFUND])
    expect = [{"tool": "verify_identity", "id": "verify"}, {"tool": "refund_order", "after": ["verify"]}]
    results = ToolCallsCheck().evaluate(_ctx(state, tool_calls=expect))
    assert results[1].rationale == "refund_order must come after verify, which did not happen"
