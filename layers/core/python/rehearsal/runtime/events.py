"""Turn telemetry: typed events the runtime emits, which evaluation and dashboards read.

A discriminated union on ``type``; every event carries the turn index it belongs to.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.schema import EndReason


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int = Field(
        ge=0, description="Index of the turn (in ConversationState.turns) the event belongs to."
    )


class ToolCallStatus(StrEnum):
    OK = "ok"
    ERROR = "error"  # the tool raised or returned a declared error
    BLOCKED = "blocked"  # a guardrail precondition was unmet; the tool did not run
    INVALID_ARGUMENTS = "invalid_arguments"  # arguments failed the input schema; the tool did not run
    SCHEMA_MISMATCH = "schema_mismatch"  # the result failed the output schema; not passed on
    TIMEOUT = "timeout"
    UNKNOWN_TOOL = "unknown_tool"


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    status: ToolCallStatus
    result: Any = None
    error: str | None = None
    error_code: str | None = None
    latency_ms: float = 0.0
    agent: str | None = None
    turn: int = 0


class IntentRecognized(_Event):
    type: Literal["intent"] = "intent"
    intent: str | None = Field(description="None when out of scope.")
    confidence: float
    agent: str


class SlotFilled(_Event):
    type: Literal["slot"] = "slot"
    slot: str
    value: Any


class ToolCalled(_Event):
    type: Literal["tool_call"] = "tool_call"
    call: ToolCall


class FactGranted(_Event):
    type: Literal["fact"] = "fact"
    fact: str
    tool: str


class GuardrailTriggered(_Event):
    type: Literal["guardrail"] = "guardrail"
    guardrail: str = Field(description="Name of the rule, e.g. `precondition:refund_order`.")
    kind: Literal["tool_precondition", "forbidden_content", "turn_limit", "escalation_trigger"]
    action: Literal["blocked", "redacted", "ended", "handed_off"]
    detail: str = ""


class SchemaMismatch(_Event):
    type: Literal["schema_mismatch"] = "schema_mismatch"
    tool: str
    errors: list[str]


class Handoff(_Event):
    type: Literal["handoff"] = "handoff"
    from_agent: str
    to_agent: str = Field(description="A sub-agent name or `human`.")
    reason: str = ""


class ErrorCode(StrEnum):
    UNKNOWN_TOOL = "unknown_tool"
    UNKNOWN_AGENT = "unknown_agent"
    TOOL_RAISED = "tool_raised"
    TOOL_TIMEOUT = "tool_timeout"
    MALFORMED_MODEL_OUTPUT = "malformed_model_output"
    MODEL_UNAVAILABLE = "model_unavailable"
    TEMPLATE = "template"
    INTERNAL = "internal"


class RuntimeError_(_Event):  # noqa: N801 - named in the shared contract; avoids the builtin
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str


class ModelUsage(_Event):
    type: Literal["model_usage"] = "model_usage"
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    retries: int = 0


class TurnCompleted(_Event):
    type: Literal["turn_completed"] = "turn_completed"
    agent: str
    latency_ms: float
    engine: Literal["flow", "llm"]


class ConversationEnded(_Event):
    type: Literal["ended"] = "ended"
    reason: EndReason
    detail: str = ""


RuntimeEvent = Annotated[
    IntentRecognized
    | SlotFilled
    | ToolCalled
    | FactGranted
    | GuardrailTriggered
    | SchemaMismatch
    | Handoff
    | RuntimeError_
    | ModelUsage
    | TurnCompleted
    | ConversationEnded,
    Field(discriminator="type"),
]
