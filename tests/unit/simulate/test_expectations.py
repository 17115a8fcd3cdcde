from __future__ import annotations

import pytest
from pydantic import ValidationError

from rehearsal.simulate.specs import Criticality, Expectations, RequiredToolCall


@pytest.mark.parametrize(
    ("matcher", "actual", "expected"),
    [
        ("A1001", "a1001 ", True),
        ("A1001", "A1002", False),
        (49.99, 49.99, True),
        ({"any": True}, "anything", True),
        ({"any": True}, None, False),
        ({"regex": "^damag"}, "Damaged on arrival", True),
        ({"regex": "^damag"}, "arrived damaged", False),
        ({"approx": 49.99, "tolerance": 0.01}, "50.0", True),
        ({"approx": 49.99, "tolerance": 0.01}, 50.5, False),
        ({"approx": 49.99}, "not a number", False),
    ],
)
def test_argument_matchers(matcher: object, actual: object, expected: bool) -> None:
    # Given a required call with one argument matcher written in the YAML shorthand
    call = RequiredToolCall.model_validate({"tool": "refund_order", "args": {"x": matcher}})
    # When it is matched against an actual argument
    # Then it matches exactly when it should
    assert call.matches_arguments({"x": actual}) is expected


def test_requirement_ids_default_to_readable_names() -> None:
    # Given expectations without explicit ids
    expect = Expectations.model_validate(
        {
            "end_state": [{"path": "orders.A1001.status", "value": "refunded"}],
            "end_reason": "resolved",
            "tool_calls": [{"tool": "verify_identity"}],
            "forbidden_tool_calls": [{"tool": "refund_order", "criticality": "critical"}],
            "behaviours": [{"behaviour": "empathy_when_upset"}],
            "max_turns": 10,
        }
    )
    # When their ids are read
    ids = [requirement.requirement_id for requirement in expect.requirements()]
    # Then each is derived from what it checks
    assert ids == [
        "state:orders.A1001.status",
        "end_reason",
        "max_turns",
        "calls:verify_identity",
        "never:refund_order",
        "behaviour:empathy_when_upset",
    ]
    assert expect.forbidden_tool_calls[0].criticality is Criticality.CRITICAL


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tool_calls": [{"tool": "a"}, {"tool": "a"}]}, "duplicate requirement id"),
        ({"tool_calls": [{"tool": "a", "after": ["calls:b"]}]}, "unknown required call"),
        ({"tool_calls": [{"tool": "a", "args": {"x": {"regex": "("}}}]}, "invalid regular expression"),
        ({"routes": [{}]}, "names an `agent`"),
        ({"end_reason": "vanished"}, "Input should be"),
        ({"tool_calls": [{"tool": "a", "criticality": "urgent"}]}, "Input should be"),
    ],
)
def test_bad_expectations_are_rejected(data: dict[str, object], message: str) -> None:
    # Given an invalid expectations block / When it is validated / Then the error says why
    with pytest.raises(ValidationError, match=message):
        Expectations.model_validate(data)
