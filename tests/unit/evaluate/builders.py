"""Hand-made conversations, records and item results for evaluation tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from rehearsal.bundles.schema import EndReason
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import CheckKind, CheckResult, ItemResult, ToolCallScore, Verdict
from rehearsal.runtime.events import FactGranted, ToolCall, ToolCalled, ToolCallStatus
from rehearsal.runtime.state import ConversationState
from rehearsal.simulate.records import SimulationRecord, SimulatorIssue, VisitorTermination
from rehearsal.simulate.specs.scenario import Scenario

Role = Literal["customer", "agent"]
Call = tuple[str, dict[str, Any], ToolCallStatus, int]  # tool, arguments, status, turn


def conversation(
    *turns: tuple[Role, str],
    calls: Sequence[Call] = (),
    facts: Sequence[tuple[str, str, int]] = (),
    ended: EndReason | None = EndReason.RESOLVED,
) -> ConversationState:
    """Turns as (role, text); calls and granted facts become telemetry events in the order given
    (calls first, then facts, unless interleaved by turn)."""
    state = ConversationState(
        conversation_id="c1", bundle_name="acme", bundle_version="v1", active_agent="main", ended=ended
    )
    for role, text in turns:
        state.add_turn(role, text)
    events: list[tuple[int, int, Any]] = []
    for number, (tool, arguments, status, turn) in enumerate(calls):
        call = ToolCall(id=f"call{number}", tool=tool, arguments=arguments, status=status, turn=turn)
        state.tool_calls.append(call)
        events.append((turn, 0, ToolCalled(turn=turn, call=call)))
    for fact, tool, turn in facts:
        events.append((turn, 1, FactGranted(turn=turn, fact=fact, tool=tool)))
    state.events.extend(event for _, _, event in sorted(events, key=lambda e: (e[0], e[1])))
    return state


OK = ToolCallStatus.OK
BLOCKED = ToolCallStatus.BLOCKED


def record(
    state: ConversationState | None,
    *,
    world_after: dict[str, Any] | None = None,
    issues: Sequence[SimulatorIssue] = (),
    error: str | None = None,
    scenario_id: str = "s1",
    trial: int = 0,
) -> SimulationRecord:
    return SimulationRecord(
        item_id=f"{scenario_id}-v0-t{trial}",
        scenario_id=scenario_id,
        trial=trial,
        seed=7,
        bundle_name="acme",
        bundle_version="v1",
        conversation=state,
        world_after=world_after or {},
        visitor_termination=VisitorTermination.ERROR if error else VisitorTermination.GOAL_MET,
        simulator_issues=list(issues),
        error=error,
    )


def check(
    requirement_id: str = "r1",
    passed: bool | None = True,
    criticality: Criticality = Criticality.MAJOR,
    kind: CheckKind = CheckKind.END_STATE,
) -> CheckResult:
    return CheckResult(requirement_id=requirement_id, kind=kind, criticality=criticality, passed=passed)


def item(
    scenario_id: str = "s1",
    verdict: Verdict = Verdict.PASS,
    *,
    trial: int = 0,
    checks: list[CheckResult] | None = None,
    tool_score: ToolCallScore | None = None,
    turns: int = 4,
) -> ItemResult:
    return ItemResult(
        item_id=f"{scenario_id}-v0-t{trial}",
        scenario_id=scenario_id,
        trial=trial,
        verdict=verdict,
        checks=checks or [],
        tool_score=tool_score or ToolCallScore(),
        turns=turns,
    )


def scenario(**expect: Any) -> Scenario:
    """A scenario whose expectations are given in their YAML shape."""
    return Scenario.model_validate(
        {
            "id": "s1",
            "persona": "p1",
            "goal": {"intent": "refund", "utterances": ["I want a refund"], "done_when": ["refund"]},
            "expect": expect,
        }
    )
