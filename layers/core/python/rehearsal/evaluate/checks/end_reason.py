"""Why the conversation ended, against the reason the scenario expects."""

from __future__ import annotations

from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence
from rehearsal.runtime.events import ConversationEnded


class EndReasonCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        expected = ctx.scenario.expect.end_reason
        if expected is None:
            return []
        reason = ctx.state.ended
        ended = next((e for e in reversed(ctx.state.events) if isinstance(e, ConversationEnded)), None)
        turn = ended.turn if ended else (len(ctx.state.turns) - 1 if ctx.state.turns else None)
        wanted = " or ".join(r.value for r in expected.one_of)
        return [
            CheckResult(
                requirement_id=expected.requirement_id,
                kind=CheckKind.END_REASON,
                criticality=expected.criticality,
                passed=reason in expected.one_of,
                evidence=[Evidence(turn=turn, quote=ctx.turn_text(turn))] if turn is not None else [],
                rationale=f"ended {reason.value if reason else 'without an end reason'}; expected {wanted}"
                + (f" ({ended.detail})" if ended and ended.detail else ""),
            )
        ]
