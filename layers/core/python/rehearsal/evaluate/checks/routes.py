"""Routes: the conversation reached the expected sub-agent and/or had the expected intent recognised."""

from __future__ import annotations

from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence
from rehearsal.runtime.events import Handoff, IntentRecognized
from rehearsal.simulate.specs.expectations import RouteExpectation


class RoutesCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        return [self._result(ctx, route) for route in ctx.scenario.expect.routes]

    @staticmethod
    def _result(ctx: EvaluationContext, route: RouteExpectation) -> CheckResult:
        evidence: list[Evidence] = []
        problems: list[str] = []
        if route.agent is not None:
            agents = _agents(ctx)
            turn = agents.get(route.agent)
            if turn is None:
                problems.append(f"never reached agent {route.agent} (reached: {', '.join(agents) or 'none'})")
            else:
                evidence.append(Evidence(turn=turn, quote=ctx.turn_text(turn)))
        if route.intent is not None:
            intents = {
                e.intent: e.turn
                for e in ctx.state.events
                if isinstance(e, IntentRecognized) and e.intent is not None
            }
            turn = intents.get(route.intent)
            if turn is None:
                problems.append(
                    f"intent {route.intent} never recognised (recognised: {', '.join(intents) or 'none'})"
                )
            else:
                evidence.append(Evidence(turn=turn, quote=ctx.turn_text(turn)))
        return CheckResult(
            requirement_id=route.requirement_id,
            kind=CheckKind.ROUTES,
            criticality=route.criticality,
            passed=not problems,
            evidence=evidence,
            rationale="; ".join(problems) or "routed as expected",
        )


def _agents(ctx: EvaluationContext) -> dict[str, int]:
    """Every agent that took part → the first turn it did."""
    seen: dict[str, int] = {}
    for turn in ctx.state.turns:
        if turn.agent is not None:
            seen.setdefault(turn.agent, turn.index)
    for event in ctx.state.events:
        if isinstance(event, Handoff):
            seen.setdefault(event.to_agent, event.turn)
    return seen
