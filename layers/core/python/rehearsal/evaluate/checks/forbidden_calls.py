"""Forbidden tool calls: e.g. a refund for a visitor who could not verify."""

from __future__ import annotations

from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.results import CheckKind, CheckResult
from rehearsal.runtime.events import ToolCallStatus
from rehearsal.simulate.specs.expectations import ForbiddenToolCall


class ForbiddenCallsCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        return [self._result(ctx, forbidden) for forbidden in ctx.scenario.expect.forbidden_tool_calls]

    @staticmethod
    def _result(ctx: EvaluationContext, forbidden: ForbiddenToolCall) -> CheckResult:
        offending = [
            call
            for call in ctx.state.tool_calls
            if call.tool == forbidden.tool
            and (call.status is ToolCallStatus.OK or forbidden.even_attempted)
            and forbidden.matches_arguments(call.arguments)
        ]
        what = "attempted" if forbidden.even_attempted else "made"
        return CheckResult(
            requirement_id=forbidden.requirement_id,
            kind=CheckKind.FORBIDDEN_CALLS,
            criticality=forbidden.criticality,
            passed=not offending,
            evidence=[ctx.call_evidence(call) for call in offending],
            rationale=f"forbidden call {forbidden.tool} {what} {len(offending)} time(s)"
            if offending
            else f"no forbidden call to {forbidden.tool}",
        )
