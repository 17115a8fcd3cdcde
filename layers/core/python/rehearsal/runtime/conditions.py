"""Evaluation of bundle ``Condition``s (branches, fact grants) against a state scope."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from rehearsal.bundles.schema import Condition
from rehearsal.runtime.paths import MISSING, resolve


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Comparisons that are false, not errors, when the operands do not compare (a missing amount)."""

    def compare(actual: Any, expected: Any) -> bool:
        try:
            return actual is not MISSING and actual is not None and op(_number(actual), _number(expected))
        except TypeError:
            return False

    return compare


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _contains(container: Any, value: Any) -> bool:
    return isinstance(container, Sequence | Mapping) and value in container


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda actual, expected: actual is not MISSING and actual == expected,
    "ne": lambda actual, expected: actual is MISSING or actual != expected,
    "in": lambda actual, expected: actual is not MISSING and _contains(expected, actual),
    "not_in": lambda actual, expected: actual is MISSING or not _contains(expected, actual),
    "gt": _ordered(lambda a, b: a > b),
    "ge": _ordered(lambda a, b: a >= b),
    "lt": _ordered(lambda a, b: a < b),
    "le": _ordered(lambda a, b: a <= b),
    "exists": lambda actual, _: actual is not MISSING and actual is not None,
    "missing": lambda actual, _: actual is MISSING or actual is None,
    "truthy": lambda actual, _: actual is not MISSING and bool(actual),
    "falsy": lambda actual, _: actual is MISSING or not actual,
    "matches": lambda actual, expected: (
        isinstance(actual, str) and bool(_regex(str(expected)).search(actual))
    ),
}


def holds(condition: Condition, scope: Mapping[str, Any]) -> bool:
    return _OPS[condition.op](resolve(scope, condition.path), condition.value)


def all_hold(conditions: Sequence[Condition], scope: Mapping[str, Any]) -> bool:
    return all(holds(condition, scope) for condition in conditions)
