from __future__ import annotations

import pytest

from rehearsal.evaluate.behaviours import compile_behaviours, parse_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.evaluate.results import Verdict
from rehearsal.runtime.events import ModelUsage, TurnCompleted

from .builders import OK, conversation, record, scenario

EXPECT = {
    "end_state": [{"path": "orders.A1001.status", "value": "refunded", "criticality": "critical"}],
    "tool_calls": [{"tool": "refund_order", "args": {"order_id": "A1001"}}],
    "behaviours": [{"behaviour": "greeted", "criticality": "minor"}],
}
BEHAVIOURS = compile_behaviours(
    parse_behaviours(
        [
            {
                "id": "greeted",
                "description": "Greeted the customer",
                "trigger": {"kind": "conversation_start"},
                "detector": {"kind": "agent_says", "classifier": {"patterns": ["^hello"]}},
            }
        ]
    )
)


def _state():
    return conversation(
        ("customer", "refund A1001"),
        ("agent", "Done, refunded."),
        calls=[("refund_order", {"order_id": "A1001"}, OK, 1)],
    )


def test_an_item_meeting_every_requirement_passes_with_its_tool_score():
    # Given
    rec = record(_state(), world_after={"orders": {"A1001": {"status": "refunded"}}})

    # When
    result = evaluate_record(rec, scenario(**EXPECT), behaviours=BEHAVIOURS)

    # Then: the minor greeting failure is reported but does not fail the item
    assert result.verdict is Verdict.PASS
    assert [c.requirement_id for c in result.failures] == ["behaviour:greeted"]
    assert (result.tool_score.expected, result.tool_score.matched) == (1, 1)
    assert result.turns == 2


def test_a_critical_failure_fails_the_item_and_comes_first():
    rec = record(_state(), world_after={"orders": {"A1001": {"status": "shipped"}}})
    result = evaluate_record(rec, scenario(**EXPECT), behaviours=BEHAVIOURS)
    assert result.verdict is Verdict.FAIL
    assert result.failures[0].requirement_id == "state:orders.A1001.status"
    assert result.critical_failures and "state:orders.A1001.status" in result.rationale


def test_a_crashed_item_is_errored_with_the_last_line_of_its_traceback():
    rec = record(None, error="Traceback (most recent call last):\n  ...\nValueError: boom\n")
    result = evaluate_record(rec, scenario(**EXPECT))
    assert result.verdict is Verdict.ERRORED
    assert result.rationale == "errored: ValueError: boom"
    assert result.checks == []


def test_an_undefined_behaviour_is_undecided_rather_than_failed():
    rec = record(_state(), world_after={"orders": {"A1001": {"status": "refunded"}}})
    result = evaluate_record(rec, scenario(**EXPECT))
    [behaviour] = [c for c in result.checks if c.requirement_id == "behaviour:greeted"]
    assert behaviour.passed is None and "not defined" in behaviour.rationale
    assert result.verdict is Verdict.PASS


def test_the_agent_s_own_time_per_turn_and_model_cost_come_from_its_events():
    # Given a conversation whose agent took two turns and made two model calls
    state = _state()
    state.events += [
        TurnCompleted(turn=1, agent="main", latency_ms=120.0, engine="llm"),
        ModelUsage(turn=1, model="m", cost_usd=0.002, latency_ms=100.0),
        TurnCompleted(turn=2, agent="main", latency_ms=80.0, engine="llm"),
        ModelUsage(turn=2, model="m", cost_usd=0.001, latency_ms=70.0),
    ]
    # When
    result = evaluate_record(record(state), scenario(**EXPECT))
    # Then the visitor's part is not counted
    assert result.agent_turn_latencies_ms == [120.0, 80.0]
    assert result.agent_cost_usd == pytest.approx(0.003)
