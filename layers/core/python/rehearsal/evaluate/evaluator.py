"""Evaluate one simulated conversation against its scenario → an ``ItemResult`` with a verdict."""

from __future__ import annotations

from collections.abc import Sequence

from rehearsal.bundles.schema import AgentBundle
from rehearsal.evaluate.attribution import attribute
from rehearsal.evaluate.behaviours.library import CompiledBehaviours
from rehearsal.evaluate.checks.base import Check, EvaluationContext
from rehearsal.evaluate.checks.behaviours import BehavioursCheck
from rehearsal.evaluate.checks.end_reason import EndReasonCheck
from rehearsal.evaluate.checks.end_state import EndStateCheck
from rehearsal.evaluate.checks.forbidden_calls import ForbiddenCallsCheck
from rehearsal.evaluate.checks.guardrails import GuardrailsCheck
from rehearsal.evaluate.checks.routes import RoutesCheck
from rehearsal.evaluate.checks.schema import SchemaCheck
from rehearsal.evaluate.checks.tool_calls import ToolCallsCheck, match_required_calls
from rehearsal.evaluate.checks.turn_limit import TurnLimitCheck
from rehearsal.evaluate.results import ItemResult, Verdict
from rehearsal.runtime.events import ModelUsage, TurnCompleted
from rehearsal.simulate.records import SimulationRecord
from rehearsal.simulate.specs.scenario import Scenario

DEFAULT_CHECKS: tuple[Check, ...] = (
    EndStateCheck(),
    EndReasonCheck(),
    ToolCallsCheck(),
    ForbiddenCallsCheck(),
    GuardrailsCheck(),
    SchemaCheck(),
    RoutesCheck(),
    TurnLimitCheck(),
    BehavioursCheck(),
)


def evaluate_record(
    record: SimulationRecord,
    scenario: Scenario,
    *,
    behaviours: CompiledBehaviours | None = None,
    bundle: AgentBundle | None = None,
    checks: Sequence[Check] = DEFAULT_CHECKS,
) -> ItemResult:
    """``bundle`` tells which tools have side effects (tool-call precision); ``behaviours`` judges the
    scenario's behaviours (compile them once per run with ``compile_behaviours``)."""
    base = {
        "item_id": record.item_id,
        "scenario_id": record.scenario_id,
        "variation": record.variation,
        "trial": record.trial,
        "seed": record.seed,
        "bundle_name": record.bundle_name,
        "bundle_version": record.bundle_version,
        "latency_ms": record.latency_ms,
        "cost_usd": record.cost_usd,
        "simulator_issues": [f"{issue.kind}: {issue.detail}" for issue in record.simulator_issues],
    }
    if record.error is not None or record.conversation is None:
        reason = (record.error or "no conversation was recorded").strip().splitlines()
        return ItemResult(
            **base,
            verdict=Verdict.ERRORED,
            turns=record.turns,
            rationale=f"errored: {reason[-1] if reason else 'unknown error'}",
            error=record.error or "no conversation was recorded",
        )
    ctx = EvaluationContext(
        record=record, state=record.conversation, scenario=scenario, bundle=bundle, behaviours=behaviours
    )
    results = [result for check in checks for result in check.evaluate(ctx)]
    verdict, rationale = attribute(results, record.simulator_issues)
    events = record.conversation.events
    return ItemResult(
        **base,
        verdict=verdict,
        checks=results,
        tool_score=match_required_calls(ctx).score,
        turns=record.turns,
        agent_turn_latencies_ms=[event.latency_ms for event in events if isinstance(event, TurnCompleted)],
        agent_cost_usd=sum(event.cost_usd for event in events if isinstance(event, ModelUsage)),
        rationale=rationale,
    )
