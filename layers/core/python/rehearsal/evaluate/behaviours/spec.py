"""Behaviour definitions, written once in YAML and shared by human and AI agents.

A behaviour is a *trigger* (when it is required: the customer sounds upset, the conversation starts, an
account-changing tool call) and a *detector* (did the agent do it: a classifier trained from positive and
negative examples and/or patterns, or a structural rule over tool calls and granted facts).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rehearsal.evaluate.criticality import Criticality
from rehearsal.simulate.specs.common import check_patterns

AgentKind = Literal["ai", "human"]
AGENT_KINDS: tuple[AgentKind, ...] = ("ai", "human")
BehaviourId = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassifierSpec(_Spec):
    """Text → yes/no. A pattern match says yes outright; otherwise a linear model trained on the examples
    decides, with a confidence."""

    patterns: list[str] = Field(default_factory=list, description="Case-insensitive regexes meaning yes.")
    positive: list[str] = Field(default_factory=list, description="Texts that show it.")
    negative: list[str] = Field(default_factory=list, description="Texts that do not.")
    threshold: Annotated[float, Field(gt=0, lt=1)] = 0.5

    _compiles = field_validator("patterns")(check_patterns)

    @model_validator(mode="after")
    def _learnable(self) -> ClassifierSpec:
        if not self.patterns and not (self.positive and self.negative):
            raise ValueError("give `patterns`, or both `positive` and `negative` examples")
        return self


class AlwaysTrigger(_Spec):
    """Required somewhere in every conversation."""

    kind: Literal["always"] = "always"


class ConversationStartTrigger(_Spec):
    kind: Literal["conversation_start"] = "conversation_start"
    within: Annotated[int, Field(ge=1, le=20)] = Field(
        1, description="Agent turns from the start that count."
    )


class ConversationEndTrigger(_Spec):
    kind: Literal["conversation_end"] = "conversation_end"
    within: Annotated[int, Field(ge=1, le=20)] = Field(
        1, description="Agent turns before the end that count."
    )


class CustomerSaysTrigger(_Spec):
    """Required after each customer turn the classifier recognises (e.g. the customer sounds upset)."""

    kind: Literal["customer_says"] = "customer_says"
    classifier: ClassifierSpec
    within: Annotated[int, Field(ge=1, le=20)] = Field(
        1, description="Agent replies after the customer turn that count."
    )


class ToolCallTrigger(_Spec):
    """Required at each call to one of ``tools``, or to any tool declared with side effects."""

    kind: Literal["tool_call"] = "tool_call"
    tools: list[str] = Field(default_factory=list)
    side_effects: bool = Field(False, description="Also trigger on every tool declared with side effects.")
    attempts: bool = Field(
        False, description="Count calls that failed or were blocked, not only successful ones."
    )

    @model_validator(mode="after")
    def _something(self) -> ToolCallTrigger:
        if not self.tools and not self.side_effects:
            raise ValueError("name `tools`, or set `side_effects: true`")
        return self


Trigger = Annotated[
    AlwaysTrigger | ConversationStartTrigger | ConversationEndTrigger | CustomerSaysTrigger | ToolCallTrigger,
    Field(discriminator="kind"),
]


class AgentSaysDetector(_Spec):
    """The agent's words in the triggered turns show the behaviour."""

    kind: Literal["agent_says"] = "agent_says"
    classifier: ClassifierSpec


class VerifiedBeforeDetector(_Spec):
    """A structural rule: before the triggering call, a verifying call succeeded or a fact was granted."""

    kind: Literal["verified_before"] = "verified_before"
    tools: list[str] = Field(default_factory=list, description="Successful calls that verify.")
    facts: list[str] = Field(default_factory=list, description="Granted facts that verify.")

    @model_validator(mode="after")
    def _something(self) -> VerifiedBeforeDetector:
        if not self.tools and not self.facts:
            raise ValueError("name verifying `tools` or `facts`")
        return self


Detector = Annotated[AgentSaysDetector | VerifiedBeforeDetector, Field(discriminator="kind")]


class Behaviour(_Spec):
    id: BehaviourId
    description: str = Field(min_length=1, description="What a good agent does, in one sentence.")
    question: str = Field(
        "", description="A yes/no question about one agent turn, for reviewers and LLM judges."
    )
    criticality: Criticality = Criticality.MAJOR
    applies_to: list[AgentKind] = Field(default_factory=lambda: list(AGENT_KINDS), min_length=1)
    trigger: Trigger
    detector: Detector
    every_time: bool = Field(True, description="Required at every trigger; False: once is enough.")
    avoid: bool = Field(
        False, description="A behaviour to avoid (a promise, a rude reply): judged as forbidden."
    )
    review_below: Annotated[float, Field(ge=0.5, le=1.0)] = Field(
        0.7, description="A text verdict less confident than this is put to a person."
    )

    @model_validator(mode="after")
    def _compatible(self) -> Behaviour:
        if isinstance(self.detector, VerifiedBeforeDetector) and not isinstance(
            self.trigger, ToolCallTrigger
        ):
            raise ValueError("detector `verified_before` needs a `tool_call` trigger")
        return self

    @property
    def review_question(self) -> str:
        return self.question or f"Does this agent turn show the behaviour: {self.description}?"


class BehaviourSet(_Spec):
    behaviours: list[Behaviour] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> BehaviourSet:
        seen: set[str] = set()
        for behaviour in self.behaviours:
            if behaviour.id in seen:
                raise ValueError(f"duplicate behaviour id {behaviour.id!r}")
            seen.add(behaviour.id)
        return self

    def get(self, behaviour_id: str) -> Behaviour:
        for behaviour in self.behaviours:
            if behaviour.id == behaviour_id:
                return behaviour
        raise KeyError(behaviour_id)
