"""Scenarios: a persona with a goal, in a world, with policies for how they behave and what is expected."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from rehearsal.simulate.specs.common import FactName, Scalar, Spec, SpecId, check_patterns, check_templates
from rehearsal.simulate.specs.expectations import Expectations
from rehearsal.simulate.specs.faults import FaultSpec
from rehearsal.simulate.specs.persona import Persona


class Goal(Spec):
    """What the visitor wants, how they ask, and what "done" means to them (read from the agent's words)."""

    intent: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
    description: str = ""
    utterances: list[str] = Field(
        min_length=1, description="Ways to state the request; `{fact}` placeholders take known facts."
    )
    facts: dict[FactName, Scalar] = Field(
        default_factory=dict, description="Facts of this goal only (e.g. its order), over `world.knows`."
    )
    provides: list[FactName] = Field(
        default_factory=list, description="Facts volunteered with the request (unless withholding)."
    )
    done_when: list[str] = Field(
        min_length=1, description="Regexes on the agent's words that mean the goal is met for the visitor."
    )
    denied_when: list[str] = Field(default_factory=list, description="Extra regexes meaning a denial.")
    accept_handoff: bool = Field(False, description="Being handed to a human also meets the goal.")

    _check_done = field_validator("done_when", "denied_when")(check_patterns)
    _check_utterances = field_validator("utterances")(check_templates)


class WorldSpec(Spec):
    """The visitor's side of the sandbox: records patched into the base world and what the visitor knows."""

    base: str | None = Field(None, description="World file for this scenario; defaults to the suite's world.")
    patch: dict[str, Any] = Field(default_factory=dict, description="Deep-merged into the base world.")
    knows: dict[FactName, Scalar] = Field(default_factory=dict, description="Facts the visitor can tell.")
    does_not_know: list[FactName] = Field(default_factory=list, description="Facts the visitor cannot tell.")
    cues: dict[FactName, list[str]] = Field(
        default_factory=dict, description="Extra regexes that mean the agent asks for a fact."
    )

    @field_validator("cues")
    @classmethod
    def _cue_patterns(cls, cues: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in cues.values():
            check_patterns(patterns)
        return cues

    @model_validator(mode="after")
    def _disjoint(self) -> WorldSpec:
        both = sorted(set(self.knows) & set(self.does_not_know))
        if both:
            raise ValueError(f"facts both known and unknown: {', '.join(both)}")
        return self


class ScheduledUtterance(Spec):
    """Something said at a given visitor turn (1 = their first message), whatever the agent said."""

    at_turn: Annotated[int, Field(ge=1, le=100)] = 2
    texts: list[str] = Field(min_length=1, description="One is picked per variation.")

    _check_texts = field_validator("texts")(check_templates)


class ChangeOfMind(Spec):
    at_turn: Annotated[int, Field(ge=1, le=100)] = 3
    goal: Goal


class BehaviourPolicies(Spec):
    withhold_until_asked: bool = Field(False, description="Volunteers no facts; answers only what is asked.")
    piecemeal: bool = Field(False, description="Answers one fact per turn even when asked for several.")
    push_back_once: bool = Field(False, description="Pushes back once when denied.")
    misunderstand_policy_once: bool = Field(False, description="Misreads the first policy explanation.")
    ask_for_human_after: Annotated[int | None, Field(ge=1, le=50)] = Field(
        None, description="Asks for a human after N unproductive agent turns."
    )
    change_mind: ChangeOfMind | None = None
    second_issue: Goal | None = Field(None, description="Raised once the first goal is met.")
    off_topic: ScheduledUtterance | None = None
    prompt_injection: ScheduledUtterance | None = None


BOOLEAN_TOGGLES = ("withhold_until_asked", "piecemeal", "push_back_once", "misunderstand_policy_once")
OPTIONAL_TOGGLES = ("ask_for_human_after", "change_mind", "second_issue", "off_topic", "prompt_injection")
TOGGLES = BOOLEAN_TOGGLES + OPTIONAL_TOGGLES
"""Policies a variation may switch: booleans are flipped, optional policies are switched off."""


class Start(StrEnum):
    INBOUND = "inbound"  # the visitor speaks first
    OUTBOUND = "outbound"  # the agent opens


class Scenario(Spec):
    id: SpecId
    description: str = ""
    tags: list[str] = Field(default_factory=list, description="e.g. adversarial, multi_issue.")
    persona: Persona | SpecId = Field(description="A persona id from the suite's personas, or one inline.")
    goal: Goal
    world: WorldSpec = Field(default_factory=WorldSpec)
    policies: BehaviourPolicies = Field(default_factory=BehaviourPolicies)
    start: Start = Start.INBOUND
    max_visitor_turns: Annotated[int | None, Field(ge=1, le=100)] = Field(
        None, description="Overrides the suite's limit."
    )
    variations: Annotated[int | None, Field(ge=1, le=10_000)] = Field(None, description="Overrides.")
    faults: FaultSpec | None = Field(
        None, description="Tool faults for this scenario; overrides the suite's."
    )
    expect: Expectations = Field(default_factory=Expectations)

    def goals(self) -> list[Goal]:
        """Every goal the visitor may legitimately pursue: its goal, a change of mind, a second issue."""
        change = self.policies.change_mind
        extra = [self.policies.second_issue, change.goal if change else None]
        return [self.goal, *(goal for goal in extra if goal is not None)]

    def world_facts(self) -> dict[str, str]:
        """What the visitor knows whatever its goal: ``world.knows``, and its own name unless told not."""
        facts = {name: fact_text(value) for name, value in self.world.knows.items()}
        if (
            isinstance(self.persona, Persona)
            and "name" not in facts
            and "name" not in self.world.does_not_know
        ):
            facts["name"] = self.persona.name
        return facts

    def fact_values(self) -> dict[str, set[str]]:
        """Fact → every value the visitor may state for it (goals may each bring their own order, say)."""
        values = {name: {value} for name, value in self.world_facts().items()}
        for goal in self.goals():
            for name, value in goal.facts.items():
                values.setdefault(name, set()).add(fact_text(value))
        return values

    @property
    def persona_id(self) -> str:
        return self.persona if isinstance(self.persona, str) else self.persona.id


def fact_text(value: Scalar) -> str:
    """How a fact is said: booleans as yes/no, everything else as written."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
