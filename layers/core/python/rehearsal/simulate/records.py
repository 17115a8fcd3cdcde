"""What one simulated conversation leaves behind, for evaluation and the run archive."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.runtime.state import ConversationState, utcnow
from rehearsal.simulate.specs.persona import Tone


class VisitorTermination(StrEnum):
    """Why the visitor side of a conversation stopped."""

    GOAL_MET = "goal_met"
    GAVE_UP = "gave_up"
    ASKED_FOR_HUMAN = "asked_for_human"
    MAX_TURNS = "max_turns"
    AGENT_ENDED = "agent_ended"
    ERROR = "error"


class ActType(StrEnum):
    """Visitor dialogue acts (agenda items)."""

    REQUEST = "request"  # states the goal
    INFORM = "inform"  # tells a known fact
    DONT_KNOW = "dont_know"  # cannot tell a fact
    AFFIRM = "affirm"
    NEGATE = "negate"
    PUSH_BACK = "push_back"
    MISUNDERSTAND = "misunderstand"
    REPHRASE = "rephrase"
    ASK_HUMAN = "ask_human"
    CHANGE_MIND = "change_mind"
    SECOND_ISSUE = "second_issue"
    OFF_TOPIC = "off_topic"
    INJECTION = "injection"
    THANK = "thank"
    BYE = "bye"


class DialogueAct(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ActType
    slot: str | None = Field(None, description="The fact (inform, dont_know) or goal intent (request).")
    value: str | None = None


class VisitorTurnLog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turn: int = Field(ge=0, description="Index of the customer turn in the conversation.")
    text: str
    acts: list[DialogueAct] = Field(default_factory=list)
    disclosed: dict[str, str] = Field(default_factory=dict, description="Facts stated in this turn.")
    mood: Tone | None = None
    goal: str | None = Field(None, description="The goal intent the visitor is pursuing.")


class SimulatorIssue(BaseModel):
    """A mistake of the simulated visitor: the item is then inconclusive, not an agent failure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["invented_fact", "contradicted_fact", "left_goal", "false_goal_claim", "protocol"]
    turn: int | None = None
    detail: str


class FaultKind(StrEnum):
    ERROR = "error"
    LATENCY = "latency"
    MALFORMED = "malformed"


class InjectedFault(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str
    kind: FaultKind
    call_index: int = Field(ge=0, description="0-based index of the tool call in the conversation.")
    detail: str = ""


class SimulationRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: str
    scenario_id: str
    variation: int = 0
    trial: int = 0
    seed: int
    bundle_name: str
    bundle_version: str
    visitor_engine: Literal["agenda", "llm"] = "agenda"
    agent_engine: Literal["flow", "llm"] = "flow"
    conversation: ConversationState | None = Field(None, description="None only when the item crashed early.")
    world_before: dict[str, Any] = Field(default_factory=dict)
    world_after: dict[str, Any] = Field(default_factory=dict)
    visitor_termination: VisitorTermination
    visitor_log: list[VisitorTurnLog] = Field(default_factory=list)
    simulator_issues: list[SimulatorIssue] = Field(default_factory=list)
    faults: list[InjectedFault] = Field(default_factory=list)
    latency_ms: float = Field(0.0, ge=0, description="Wall time of the whole conversation.")
    cost_usd: float = Field(0.0, ge=0, description="Agent and visitor model cost.")
    visitor_cost_usd: float = Field(0.0, ge=0)
    started_at: AwareDatetime = Field(default_factory=utcnow)
    finished_at: AwareDatetime = Field(default_factory=utcnow)
    error: str | None = Field(None, description="Traceback when the item crashed.")

    @property
    def turns(self) -> int:
        return len(self.conversation.turns) if self.conversation else 0
