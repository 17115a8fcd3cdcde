"""Turn limits: the agent finished within the number of turns the scenario allows."""

from __future__ import annotations

from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence


class TurnLimitCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        limit = ctx.scenario.expect.max_turns
        if limit is None:
            return []
        agent_turns = [turn for turn in ctx.state.turns if turn.role == "agent"]
        over = agent_turns[limit.max_agent_turns :]
        return [
            CheckResult(
                requirement_id=limit.requirement_id,
                kind=CheckKind.TURN_LIMIT,
                criticality=limit.criticality,
                passed=not over,
                evidence=[Evidence(turn=over[0].index, quote=over[0].text)] if over else [],
                rationale=f"{len(agent_turns)} agent turns; at most {limit.max_agent_turns} allowed",
            )
        ]
