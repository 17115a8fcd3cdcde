"""End-state assertions over the world the conversation left behind."""

from __future__ import annotations

import math
from typing import Any

from rehearsal.bundles.schema import Condition
from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence
from rehearsal.runtime.conditions import holds
from rehearsal.runtime.paths import MISSING, resolve
from rehearsal.simulate.specs.expectations import WorldAssertion


class EndStateCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        return [self._assert(ctx.record.world_after, a) for a in ctx.scenario.expect.end_state]

    @staticmethod
    def _assert(world: dict[str, Any], assertion: WorldAssertion) -> CheckResult:
        actual = resolve(world, assertion.path)
        passed = _holds(assertion, world, actual)
        shown = "missing" if actual is MISSING else repr(actual)
        wanted = (
            f"{assertion.op} {assertion.value!r}"
            if assertion.op not in ("exists", "missing")
            else assertion.op
        )
        return CheckResult(
            requirement_id=assertion.requirement_id,
            kind=CheckKind.END_STATE,
            criticality=assertion.criticality,
            passed=passed,
            evidence=[Evidence(quote=f"{assertion.path} = {shown}")],
            rationale=f"{assertion.path} is {shown}; expected {wanted}",
        )


def _holds(assertion: WorldAssertion, world: dict[str, Any], actual: Any) -> bool:
    if assertion.op == "approx":
        try:
            return actual is not MISSING and math.isclose(
                float(actual), float(assertion.value), rel_tol=0.0, abs_tol=assertion.tolerance + 1e-9
            )
        except (TypeError, ValueError):
            return False
    # The bundle's condition operators, so that `eq` or `matches` mean the same here as in flows.
    condition = Condition.model_validate(
        {"path": assertion.path, "op": assertion.op, "value": assertion.value}
    )
    return holds(condition, world)
