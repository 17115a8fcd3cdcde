"""Required tool calls: each matched by an actual call with the right arguments, in the required order;
precision and recall over the calls that matter."""

from __future__ import annotations

from dataclasses import dataclass

from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence, ToolCallScore
from rehearsal.runtime.events import ToolCall, ToolCallStatus
from rehearsal.simulate.specs.expectations import RequiredToolCall


@dataclass(frozen=True)
class Matching:
    """Which actual call (index into ``state.tool_calls``) satisfied each required call, or None."""

    matched: dict[str, int | None]
    score: ToolCallScore


def match_required_calls(ctx: EvaluationContext) -> Matching:
    """Greedy in the order requirements are written: each takes the earliest unused call that matches and
    comes after the calls its ``after`` requirements took. Computed once per item and shared."""
    cached = ctx.shared.get("tool_matching")
    if isinstance(cached, Matching):
        return cached
    calls = ctx.state.tool_calls
    required = ctx.scenario.expect.tool_calls
    used: set[int] = set()
    matched: dict[str, int | None] = {}
    for requirement in required:
        before = [matched.get(rid) for rid in requirement.after]
        if None in before:  # what must come first never happened
            matched[requirement.requirement_id] = None
            continue
        earliest = max((index for index in before if index is not None), default=-1)
        found = next(
            (
                index
                for index, call in enumerate(calls)
                if index > earliest and index not in used and _satisfies(requirement, call)
            ),
            None,
        )
        matched[requirement.requirement_id] = found
        if found is not None:
            used.add(found)
    relevant = {r.tool for r in required} | {f.tool for f in ctx.scenario.expect.forbidden_tool_calls}
    relevant |= ctx.side_effect_tools
    considered = [
        i
        for i, call in enumerate(calls)
        if call.tool in relevant and call.status is not ToolCallStatus.BLOCKED
    ]
    score = ToolCallScore(
        expected=len(required),
        matched=sum(1 for index in matched.values() if index is not None),
        actual=len(considered),
        correct=sum(1 for index in considered if index in used),
    )
    matching = Matching(matched=matched, score=score)
    ctx.shared["tool_matching"] = matching
    return matching


def _satisfies(requirement: RequiredToolCall, call: ToolCall) -> bool:
    if call.tool != requirement.tool:
        return False
    if requirement.status == "ok" and call.status is not ToolCallStatus.OK:
        return False
    return requirement.matches_arguments(call.arguments)


class ToolCallsCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        matching = match_required_calls(ctx)
        return [self._result(ctx, r, matching) for r in ctx.scenario.expect.tool_calls]

    @staticmethod
    def _result(ctx: EvaluationContext, requirement: RequiredToolCall, matching: Matching) -> CheckResult:
        index = matching.matched[requirement.requirement_id]
        base = {
            "requirement_id": requirement.requirement_id,
            "kind": CheckKind.TOOL_CALLS,
            "criticality": requirement.criticality,
        }
        if index is not None:
            call = ctx.state.tool_calls[index]
            return CheckResult(
                **base,
                passed=True,
                evidence=[ctx.call_evidence(call)],
                rationale=f"{call.tool} called as required",
            )
        candidates = [call for call in ctx.state.tool_calls if call.tool == requirement.tool]
        return CheckResult(
            **base,
            passed=False,
            evidence=[ctx.call_evidence(call) for call in candidates]
            or [Evidence(quote=f"no call to {requirement.tool}")],
            rationale=_why_not(requirement, candidates, matching),
        )


def _why_not(requirement: RequiredToolCall, candidates: list[ToolCall], matching: Matching) -> str:
    if not candidates:
        return f"{requirement.tool} was never called"
    missing = [rid for rid in requirement.after if matching.matched.get(rid) is None]
    if missing:
        return f"{requirement.tool} must come after {', '.join(missing)}, which did not happen"
    reasons = []
    for call in candidates:
        if requirement.status == "ok" and call.status is not ToolCallStatus.OK:
            reasons.append(f"{call.id} {call.status.value}" + (f": {call.error}" if call.error else ""))
            continue
        wrong = [
            f"{name}={call.arguments.get(name)!r}"
            for name, matcher in requirement.args.items()
            if not matcher.matches(call.arguments.get(name))
        ]
        reasons.append(
            f"{call.id} wrong arguments {', '.join(wrong)}" if wrong else f"{call.id} out of order"
        )
    return f"{requirement.tool} not called as required: " + "; ".join(reasons)
