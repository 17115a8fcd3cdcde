from __future__ import annotations

from typing import Any

import pytest

from rehearsal.bundles.schema import Condition
from rehearsal.runtime.conditions import all_hold, holds

SCOPE: dict[str, Any] = {
    "results": {"lookup": {"status": "shipped", "total": 49.99, "items": [{"sku": "X"}]}},
    "facts": {"identity_verified": "verify"},
    "slots": {"confirm": False},
}


@pytest.mark.parametrize(
    ("path", "op", "value", "expected"),
    [
        ("results.lookup.status", "eq", "shipped", True),
        ("results.lookup.status", "ne", "shipped", False),
        ("results.lookup.status", "in", ["shipped", "delivered"], True),
        ("results.lookup.status", "not_in", ["shipped"], False),
        ("results.lookup.total", "gt", 40, True),
        ("results.lookup.total", "le", "49.99", True),
        ("results.lookup.missing", "lt", 3, False),
        ("facts.identity_verified", "exists", None, True),
        ("facts.other", "missing", None, True),
        ("slots.confirm", "falsy", None, True),
        ("slots.confirm", "eq", False, True),
        ("results.lookup.items.0.sku", "eq", "X", True),
        ("results.lookup.status", "matches", "^ship", True),
        ("results.lookup.total", "matches", "49", False),
    ],
)
def test_condition_operators(path: str, op: Any, value: Any, expected: bool) -> None:
    # Given a condition on a path of the state
    condition = Condition(path=path, op=op, value=value)
    # When it is evaluated
    # Then it holds exactly when the operator says so
    assert holds(condition, SCOPE) is expected


def test_all_hold_needs_every_condition() -> None:
    conditions = [Condition(path="slots.confirm", op="falsy"), Condition(path="facts.x", op="exists")]
    assert all_hold(conditions, SCOPE) is False
