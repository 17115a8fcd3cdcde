"""The agent bundle: an agent as versioned configuration (prompts, flows, tools, guardrails, sub-agents).

Shape only: structural rules live here (types, patterns, required fields); cross-references (a flow naming
an unknown tool, slot, stage or agent; unreachable stages) are checked by ``rehearsal.bundles.validation`` so
that every problem is reported at once with its place.

Facts such as ``identity_verified`` are granted only by tool results (``ToolDecl.grants``), never by flow text
or model output: that is what lets guardrail preconditions be enforced in code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$", description="An identifier.")]
ToolName = Annotated[
    str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", description="Usable as a function name by LLMs.")
]
Template = Annotated[
    str,
    Field(description="Text with `{{ path }}` placeholders: slots.X, vars.X, results.TOOL.FIELD, facts.X."),
]
HUMAN = "human"
"""Handoff target meaning a human agent (escalation)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EndReason(StrEnum):
    """Why a conversation ended; shared by the runtime, the simulators and evaluation."""

    RESOLVED = "resolved"
    ESCALATED = "escalated"
    CUSTOMER_LEFT = "customer_left"
    TURN_LIMIT = "turn_limit"
    GUARDRAIL = "guardrail"
    UNRESOLVED = "unresolved"
    ERROR = "error"


class Metadata(_Model):
    name: Name
    description: str = ""
    owner: str | None = None
    tags: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)


class Pricing(_Model):
    input_per_1k_tokens: Annotated[float, Field(ge=0)] = 0.0
    output_per_1k_tokens: Annotated[float, Field(ge=0)] = 0.0


class ModelSettings(_Model):
    engine: Literal["flow", "llm"] = Field("flow", description="Default engine for this bundle.")
    model: str = "gpt-4o-mini"
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint; None means the provider default."
    )
    api_key_env: Annotated[
        str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$", description="Name of the env variable holding the key.")
    ] = "OPENAI_API_KEY"
    temperature: Annotated[float, Field(ge=0, le=2)] = 0.2
    max_tokens: Annotated[int, Field(ge=1)] = 512
    timeout_s: Annotated[float, Field(gt=0)] = 30.0
    max_retries: Annotated[int, Field(ge=0, le=10)] = 3
    pricing: Pricing = Field(default_factory=Pricing)


class NluSettings(_Model):
    intent_threshold: Annotated[
        float, Field(ge=0, le=1, description="Below this confidence a message is out of scope.")
    ] = 0.35


# --- conditions -------------------------------------------------------------------------------------------

ConditionOp = Literal[
    "eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "exists", "missing", "truthy", "falsy", "matches"
]


class Condition(_Model):
    """``path`` reads state: slots.X, vars.X, facts.X, results.TOOL.FIELD, last_result.FIELD,
    last_error.code."""

    path: str = Field(min_length=1)
    op: ConditionOp = "eq"
    value: Any = None


# --- flow steps -------------------------------------------------------------------------------------------


class AskStep(_Model):
    kind: Literal["ask"] = "ask"
    slot: Name
    prompt: Template
    reprompt: Template | None = Field(None, description="Said when the answer does not parse or validate.")
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    on_failure: Literal["handoff_human", "end"] = "handoff_human"


class CallStep(_Model):
    kind: Literal["call"] = "call"
    tool: ToolName
    args: dict[str, Any] = Field(
        default_factory=dict,
        description="Argument → template string (e.g. `{{ slots.order_id }}`) or literal.",
    )
    save_as: Name | None = Field(None, description="Result name under results.; defaults to the tool name.")
    on_error: Name | None = Field(None, description="Stage to go to when the call fails or is blocked.")


class BranchCase(_Model):
    when: list[Condition] = Field(min_length=1, description="All must hold.")
    goto: Name


class BranchStep(_Model):
    kind: Literal["branch"] = "branch"
    cases: list[BranchCase] = Field(min_length=1)
    default: Name | None = Field(None, description="Stage when no case matches; None continues.")


class RespondStep(_Model):
    kind: Literal["respond"] = "respond"
    text: Template = Field(min_length=1)


class SetStep(_Model):
    kind: Literal["set"] = "set"
    var: Name
    value: Any = None


class HandoffStep(_Model):
    kind: Literal["handoff"] = "handoff"
    to: Name = Field(description="A sub-agent name, or `human`.")
    reason: str = ""
    message: Template | None = None


class EndStep(_Model):
    kind: Literal["end"] = "end"
    reason: EndReason = EndReason.RESOLVED
    message: Template | None = None


class GotoStep(_Model):
    kind: Literal["goto"] = "goto"
    stage: Name


Step = Annotated[
    AskStep | CallStep | BranchStep | RespondStep | SetStep | HandoffStep | EndStep | GotoStep,
    Field(discriminator="kind"),
]


class Stage(_Model):
    name: Name
    description: str = ""
    steps: list[Step] = Field(min_length=1)
    next: Name | None = Field(None, description="Stage after the last step; None ends the flow.")


class Flow(_Model):
    name: Name
    description: str = ""
    stages: list[Stage] = Field(min_length=1, description="The first stage is the entry.")


# --- agents -----------------------------------------------------------------------------------------------

SlotType = Literal[
    "text", "id", "email", "phone", "date", "number", "integer", "amount", "yes_no", "enum", "name", "address"
]


class SlotDef(_Model):
    name: Name
    type: SlotType = "text"
    description: str = ""
    pattern: str | None = Field(None, description="Regex the value must match (ids).")
    choices: list[str] = Field(default_factory=list, description="Allowed values (enum).")
    synonyms: dict[str, list[str]] = Field(default_factory=dict, description="Choice → other phrasings.")
    minimum: float | None = None
    maximum: float | None = None


class Intent(_Model):
    name: Name
    description: str = ""
    examples: list[str] = Field(min_length=1, description="Example phrasings the recognizer learns from.")
    flow: Name | None = Field(None, description="Flow it starts; None means answered by instructions only.")


class Agent(_Model):
    name: Name
    description: str = ""
    instructions: str = ""
    greeting: Template | None = None
    fallback: Template = "Sorry, I didn't catch that. Could you rephrase?"
    intents: list[Intent] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    slots: list[SlotDef] = Field(default_factory=list)
    tools: list[ToolName] = Field(default_factory=list, description="Tools this agent may call.")


# --- tools ------------------------------------------------------------------------------------------------


class PythonBinding(_Model):
    kind: Literal["python"] = "python"
    target: Annotated[str, Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$", description="module:function")]


class HttpBinding(_Model):
    kind: Literal["http"] = "http"
    url: Annotated[str, Field(pattern=r"^https?://")]
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Values may reference env variables as `${NAME}`; never literal secrets.",
    )


class LambdaBinding(_Model):
    kind: Literal["lambda"] = "lambda"
    function_arn: Annotated[
        str, Field(pattern=r"^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$")
    ]


Binding = Annotated[PythonBinding | HttpBinding | LambdaBinding, Field(discriminator="kind")]


class ErrorShape(_Model):
    code: Name
    description: str = ""
    retryable: bool = False


class FactGrant(_Model):
    """Grant ``fact`` when the tool's result satisfies ``when`` (paths relative to the result:
    ``result.X``)."""

    fact: Name
    when: list[Condition] = Field(default_factory=list, description="Empty: granted on any successful call.")


JsonSchema = dict[str, Any]


class ToolDecl(_Model):
    name: ToolName
    description: str = Field(min_length=1)
    input_schema: JsonSchema = Field(default_factory=lambda: {"type": "object", "properties": {}})
    output_schema: JsonSchema | None = None
    errors: list[ErrorShape] = Field(default_factory=list)
    binding: Binding
    timeout_s: Annotated[float, Field(gt=0, le=300)] = 5.0
    side_effects: bool = Field(False, description="True when the tool changes the world (refund, cancel).")
    grants: list[FactGrant] = Field(default_factory=list)


# --- guardrails -------------------------------------------------------------------------------------------


class ToolPrecondition(_Model):
    tool: ToolName
    requires: list[Name] = Field(min_length=1, description="Facts that must hold before the call runs.")
    message: Template = "I need to verify your identity before I can do that."


class ForbiddenContent(_Model):
    name: Name
    phrases: list[str] = Field(default_factory=list, description="Case-insensitive substrings.")
    patterns: list[str] = Field(default_factory=list, description="Regular expressions.")
    action: Literal["block", "redact"] = "block"
    replacement: str = "I'm sorry, I can't help with that."


class TurnLimit(_Model):
    max_agent_turns: Annotated[int, Field(ge=1)] = 30
    message: Template = "I'm going to connect you with a colleague who can help further."
    end_reason: EndReason = EndReason.TURN_LIMIT


class EscalationTrigger(_Model):
    name: Name
    phrases: list[str] = Field(default_factory=list, description="In the customer's message.")
    patterns: list[str] = Field(default_factory=list)
    after_fallbacks: Annotated[
        int | None, Field(ge=1, description="After N consecutive not-understood turns.")
    ] = None
    action: Literal["handoff_human", "end"] = "handoff_human"
    message: Template = "Let me connect you with a member of our team."


class Guardrails(_Model):
    tool_preconditions: list[ToolPrecondition] = Field(default_factory=list)
    forbidden_content: list[ForbiddenContent] = Field(default_factory=list)
    turn_limit: TurnLimit | None = None
    escalation_triggers: list[EscalationTrigger] = Field(default_factory=list)


# --- routing ----------------------------------------------------------------------------------------------


class RouterRule(_Model):
    intents: list[Name] = Field(default_factory=list, description="Recognized intents that route here.")
    patterns: list[str] = Field(default_factory=list, description="Regexes on the customer's message.")
    to: Name


class Router(_Model):
    entry_agent: Name
    rules: list[RouterRule] = Field(default_factory=list)


class AgentBundle(_Model):
    """The root of a bundle file."""

    schema_version: Literal[1] = 1
    metadata: Metadata
    model: ModelSettings = Field(default_factory=ModelSettings)
    nlu: NluSettings = Field(default_factory=NluSettings)
    agents: list[Agent] = Field(min_length=1)
    tools: list[ToolDecl] = Field(default_factory=list)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    router: Router | None = Field(None, description="Needed with more than one agent; defaults to the first.")

    @property
    def entry_agent(self) -> str:
        return self.router.entry_agent if self.router else self.agents[0].name

    def agent(self, name: str) -> Agent:
        for agent in self.agents:
            if agent.name == name:
                return agent
        raise KeyError(name)

    def tool(self, name: str) -> ToolDecl:
        for tool in self.tools:
            if tool.name == name:
                return tool
        raise KeyError(name)
