"""Contracts of flow discovery: labelled step sequences, the transition graph and what is read from it."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.schema import SlotType
from rehearsal.insights.conversation import Outcome

START = "__start__"
"""Pseudo-step every conversation's sequence begins with."""
END = "__end__"
"""Pseudo-step every conversation's sequence ends with."""

StepId = Annotated[
    str, Field(min_length=1, description="A step id: an action label, a cluster id or `call:TOOL[:MODE]`.")
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepKind(StrEnum):
    SAY = "say"  # an agent utterance
    CALL = "call"  # a tool call or backend action
    BOUNDARY = "boundary"  # START / END


class StepEvent(_Model):
    """One step an agent took in one conversation, with the context that led to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: StepId
    kind: StepKind
    turn: int = Field(ge=0, description="Index of the turn in the conversation.")
    text: str = Field("", description="The agent's utterance, or the tool name for calls.")
    customer_before: str = Field("", description="What the customer said since the previous step.")
    result: str | None = Field(None, description="Outcome signature of a call step (`ok`, `error:CODE`, …).")


class LabelledConversation(_Model):
    conversation_id: str
    group: str
    outcome: Outcome = Outcome.UNKNOWN
    events: list[StepEvent]

    @property
    def steps(self) -> list[str]:
        return [event.step for event in self.events]


class StepNode(_Model):
    id: StepId
    label: str = Field(description="Human-readable name: a representative utterance or the tool name.")
    kind: StepKind
    count: int = Field(ge=0, description="How many times the step was taken.")
    conversations: int = Field(0, ge=0, description="How many conversations took it at least once.")
    examples: list[str] = Field(default_factory=list, description="Representative utterances.")


class StepEdge(_Model):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    count: int = Field(ge=1)


class FlowGraph(_Model):
    group: str
    conversations: int = Field(ge=0)
    nodes: list[StepNode]
    edges: list[StepEdge]

    def node(self, step: str) -> StepNode:
        for node in self.nodes:
            if node.id == step:
                return node
        raise KeyError(step)

    def edge_set(self) -> set[tuple[str, str]]:
        return {(edge.from_, edge.to) for edge in self.edges}

    def successors(self, step: str) -> list[StepEdge]:
        return sorted((e for e in self.edges if e.from_ == step), key=lambda e: (-e.count, e.to))


class PathVariant(_Model):
    steps: list[str]
    count: int = Field(ge=1)
    share: float = Field(ge=0, le=1)


class Branch(_Model):
    to: str
    count: int = Field(ge=1)
    share: float = Field(ge=0, le=1)
    cues: list[str] = Field(
        default_factory=list, description="Customer words that most set this branch apart."
    )
    results: dict[str, int] = Field(
        default_factory=dict, description="Tool result signatures seen right before it."
    )


class DecisionPoint(_Model):
    step: str
    count: int
    branches: list[Branch] = Field(min_length=2)
    driver: str = Field(
        description="`tool_result` when a call's result tells the branches apart, `mixed` when it does not, "
        "`customer` after an agent utterance."
    )


class DerailPoint(_Model):
    """A step after which conversations most often ended badly (escalated or abandoned)."""

    step: str
    outcome: Outcome
    count: int = Field(ge=1, description="Conversations that ended right after this step with this outcome.")
    rate: float = Field(ge=0, le=1, description="Share of the conversations visiting the step that ended so.")
    examples: list[str] = Field(default_factory=list, description="Conversation ids.")


class ObservedOutcome(_Model):
    signature: str
    count: int = Field(ge=1)
    example: Any = None


class ToolSpec(_Model):
    """A tool as seen in the logs: what it is called with and what comes back."""

    name: str
    calls: int = Field(ge=1)
    mode_argument: str | None = Field(
        None, description="An argument that selects an operation (e.g. RequestType)."
    )
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None = None
    outcomes: list[ObservedOutcome] = Field(default_factory=list)
    errors: list[ObservedOutcome] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)


class SkillSuggestion(_Model):
    """A suggested sub-agent: a tightly connected set of steps, possibly shared by several groups."""

    name: str
    steps: list[str] = Field(min_length=1)
    tools: list[str] = Field(default_factory=list)
    groups: list[str] = Field(description="Groups whose conversations use this skill.")
    traffic: int = Field(ge=0, description="Step visits inside the skill.")
    cohesion: float = Field(ge=0, le=1, description="Share of its transitions that stay inside it.")
    rationale: str


class AskSlot(_Model):
    """An agent question, the slot its answer fills, and the fact a simulated visitor knows for it."""

    step: str
    slot: str
    type: SlotType = Field(description="A bundle slot type read from the answers (`text` when none fits).")
    pattern: str | None = None
    fact: str = Field(
        description="The visitor's fact name: a built-in one the question names, else the slot."
    )
    answers: int = Field(ge=0)
    examples: list[str] = Field(default_factory=list, description="Frequent answers (de-identified).")


class GroupFlows(_Model):
    """Everything flow discovery found for one group (a topic or a metadata value)."""

    group: str
    labelling: str = Field(description="`given` when action labels were used, else `clustered`.")
    graph: FlowGraph
    paths: list[PathVariant] = Field(default_factory=list)
    main_path: list[str] = Field(default_factory=list)
    decision_points: list[DecisionPoint] = Field(default_factory=list)
    derail_points: list[DerailPoint] = Field(default_factory=list)
    tools: list[ToolSpec] = Field(default_factory=list)
    asks: list[AskSlot] = Field(default_factory=list)
    predictability: float | None = Field(
        None, ge=0, le=1, description="Held-out accuracy of predicting each step from the one before it."
    )
    templates: dict[str, str] = Field(
        default_factory=dict,
        description="Step → reply with the tool-result values it repeats as placeholders.",
    )


class FlowDiscovery(_Model):
    """The result of a discovery run over all groups."""

    grouped_by: str
    groups: list[GroupFlows]
    skipped: list[str] = Field(default_factory=list, description="Groups with too few conversations.")
    skills: list[SkillSuggestion] = Field(default_factory=list)
    tools: list[ToolSpec] = Field(default_factory=list)
