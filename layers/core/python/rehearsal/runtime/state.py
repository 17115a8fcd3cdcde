"""Conversation state: everything the runtime knows about one conversation, serialisable as JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.bundles.schema import EndReason
from rehearsal.runtime.events import RuntimeEvent, ToolCall


def utcnow() -> datetime:
    return datetime.now(UTC)


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=0)
    role: Literal["customer", "agent"]
    text: str
    agent: str | None = Field(None, description="The sub-agent that spoke (agent turns).")
    at: AwareDatetime = Field(default_factory=utcnow)


class FlowPosition(BaseModel):
    """Where the flow engine is: flow, stage and step, and an ask awaiting its answer."""

    model_config = ConfigDict(extra="forbid")

    flow: str
    stage: str
    step: int = 0
    awaiting_slot: str | None = None
    attempts: int = 0


class ConversationState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str
    bundle_name: str
    bundle_version: str
    engine: Literal["flow", "llm"] = "flow"
    active_agent: str
    position: FlowPosition | None = None
    slots: dict[str, Any] = Field(default_factory=dict)
    facts: dict[str, str] = Field(default_factory=dict, description="Verified fact → the granting tool.")
    variables: dict[str, Any] = Field(default_factory=dict)
    results: dict[str, Any] = Field(default_factory=dict, description="Last result per tool or save_as name.")
    last_result: Any = Field(None, description="Result of the latest successful tool call (`last_result.X`).")
    last_error: dict[str, Any] | None = Field(
        None, description="The latest failed tool call: status, code, message (`last_error.code`)."
    )
    turns: list[Turn] = Field(default_factory=list)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    events: list[RuntimeEvent] = Field(default_factory=list)
    consecutive_fallbacks: int = 0
    llm_messages: list[dict[str, Any]] = Field(default_factory=list, description="The llm engine's messages.")
    ended: EndReason | None = None
    started_at: AwareDatetime = Field(default_factory=utcnow)

    @property
    def agent_turn_count(self) -> int:
        return sum(1 for turn in self.turns if turn.role == "agent")

    def add_turn(self, role: Literal["customer", "agent"], text: str, agent: str | None = None) -> Turn:
        turn = Turn(index=len(self.turns), role=role, text=text, agent=agent)
        self.turns.append(turn)
        return turn


class AgentReply(BaseModel):
    """What one call of ``respond`` produced: the agent's messages, new events, and whether it ended."""

    model_config = ConfigDict(extra="forbid")

    messages: list[str] = Field(default_factory=list)
    events: list[RuntimeEvent] = Field(default_factory=list)
    ended: EndReason | None = None
    latency_ms: float = 0.0
