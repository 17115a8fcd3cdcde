"""Schema mismatches: arguments the agent sent that failed a tool's input schema, and results that failed
its output schema (unless a fault was injected on purpose)."""

from __future__ import annotations

from rehearsal.evaluate.checks.base import EvaluationContext
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import CheckKind, CheckResult
from rehearsal.runtime.events import ToolCallStatus


class SchemaCheck:
    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]:
        calls = ctx.state.tool_calls
        arguments = [c for c in calls if c.status is ToolCallStatus.INVALID_ARGUMENTS]
        results = [
            c
            for i, c in enumerate(calls)
            if c.status is ToolCallStatus.SCHEMA_MISMATCH and i not in ctx.malformed_by_fault
        ]
        return [
            CheckResult(
                requirement_id="schema:arguments",
                kind=CheckKind.SCHEMA,
                criticality=Criticality.MAJOR,
                passed=not arguments,
                evidence=[ctx.call_evidence(c) for c in arguments],
                rationale="; ".join(f"{c.tool}: {c.error or 'invalid arguments'}" for c in arguments)
                or "every call's arguments matched the tool's input schema",
            ),
            CheckResult(
                requirement_id="schema:results",
                kind=CheckKind.SCHEMA,
                criticality=Criticality.MINOR,
                passed=not results,
                evidence=[ctx.call_evidence(c) for c in results],
                rationale="; ".join(
                    f"{c.tool}: {c.error or 'result failed the output schema'}" for c in results
                )
                or "every result matched the tool's output schema",
            ),
        ]
