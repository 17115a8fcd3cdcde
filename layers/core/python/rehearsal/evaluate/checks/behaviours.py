"""Required and forbidden behaviours named by the scenario, judged by the suite's compiled behaviours."""

from __future__ import annotations

from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.results import CheckKind, CheckResult
from rehearsal.simulate.specs.expectations import BehaviourRequirement


class BehavioursCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        expect = ctx.scenario.expect
        return [
            *(self._judge(ctx, requirement, forbidden=False) for requirement in expect.behaviours),
            *(self._judge(ctx, requirement, forbidden=True) for requirement in expect.forbidden_behaviours),
        ]

    @staticmethod
    def _judge(ctx: EvaluationContext, requirement: BehaviourRequirement, *, forbidden: bool) -> CheckResult:
        if ctx.behaviours is None or requirement.behaviour not in ctx.behaviours:
            # Suites are validated against their behaviours before a run; this guards direct callers.
            return CheckResult(
                requirement_id=requirement.requirement_id,
                kind=CheckKind.BEHAVIOUR,
                criticality=requirement.criticality,
                passed=None,
                confidence=0.0,
                rationale=f"behaviour {requirement.behaviour!r} is not defined",
            )
        return ctx.behaviours.judge(requirement.behaviour).judge(
            ctx.transcript,
            requirement_id=requirement.requirement_id,
            criticality=requirement.criticality,
            forbidden=forbidden,
        )
