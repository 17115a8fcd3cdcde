"""What every check sees, and the one method every check has."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from rehearsal.bundles.schema import AgentBundle
from rehearsal.evaluate.behaviours.library import CompiledBehaviours
from rehearsal.evaluate.behaviours.transcript import Transcript
from rehearsal.evaluate.results import CheckResult, Evidence
from rehearsal.runtime.events import ToolCall
from rehearsal.runtime.state import ConversationState
from rehearsal.simulate.records import FaultKind, SimulationRecord
from rehearsal.simulate.specs.scenario import Scenario


@dataclass
class EvaluationContext:
    """One simulated conversation with its scenario, and what the checks share (built lazily, once)."""

    record: SimulationRecord
    state: ConversationState
    scenario: Scenario
    bundle: AgentBundle | None = None
    behaviours: CompiledBehaviours | None = None
    shared: dict[str, object] = field(default_factory=dict)

    @cached_property
    def side_effect_tools(self) -> frozenset[str]:
        return (
            frozenset(tool.name for tool in self.bundle.tools if tool.side_effects)
            if self.bundle
            else frozenset()
        )

    @cached_property
    def transcript(self) -> Transcript:
        return Transcript.from_state(self.state, self.side_effect_tools)

    @cached_property
    def malformed_by_fault(self) -> frozenset[int]:
        """Indexes (in ``state.tool_calls``) of calls whose result a fault replaced on purpose."""
        return frozenset(f.call_index for f in self.record.faults if f.kind is FaultKind.MALFORMED)

    def turn_text(self, turn: int | None) -> str:
        if turn is None or not 0 <= turn < len(self.state.turns):
            return ""
        return self.state.turns[turn].text

    def call_evidence(self, call: ToolCall) -> Evidence:
        return Evidence(turn=call.turn, quote=_describe(call), tool_call_id=call.id)


def _describe(call: ToolCall) -> str:
    arguments = ", ".join(f"{name}={value!r}" for name, value in call.arguments.items())
    return f"{call.tool}({arguments}) → {call.status.value}"


class Check(Protocol):
    """One kind of requirement; returns one result per requirement of that kind (none when not asked for)."""

    def evaluate(self, ctx: EvaluationContext) -> list[CheckResult]: ...
