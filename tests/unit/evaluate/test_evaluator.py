from __future__ import annotations

from rehearsal.evaluate.behaviours import compile_behaviours, parse_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.evaluate.results import Verdict

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
