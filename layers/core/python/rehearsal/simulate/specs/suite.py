"""The suite: scenarios, how they vary, faults to inject, trials, and references to shared definitions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from rehearsal.bundles.schema import EndReason
from rehearsal.simulate.specs.common import Criticality, Spec, SpecId
from rehearsal.simulate.specs.faults import FaultSpec
from rehearsal.simulate.specs.persona import Persona
from rehearsal.simulate.specs.scenario import TOGGLES, Scenario


class VariationSpec(Spec):
    """How one scenario expands into seeded variations. Variation 0 is always the scenario as written."""

    count: Annotated[int, Field(ge=1, le=10_000)] = 1
    phrasing: bool = Field(True, description="Pick other phrasings from the pools.")
    typos: bool = Field(True, description="Vary the typo rate around the persona's.")
    tone: bool = Field(False, description="Pick the tone among the persona's `tones`.")
    toggles: list[str] = Field(default_factory=list, description="Behaviour policies a variation may switch.")

    @model_validator(mode="after")
    def _known_toggles(self) -> VariationSpec:
        unknown = sorted(set(self.toggles) - set(TOGGLES))
        if unknown:
            raise ValueError(f"unknown toggles {unknown}; known: {', '.join(TOGGLES)}")
        return self


class TurnAssertion(Spec):
    """An assertion on the agent's reply to the last message of a turn test's prefix."""

    says: list[str] = Field(default_factory=list, description="Case-insensitive substrings that must appear.")
    not_says: list[str] = Field(default_factory=list)
    matches: list[str] = Field(default_factory=list, description="Regexes that must match.")
    calls_tool: list[str] = Field(default_factory=list)
    not_calls_tool: list[str] = Field(default_factory=list)
    ends: EndReason | None = None
    hands_off_to: str | None = None


class TurnTest(Spec):
    id: SpecId
    description: str = ""
    criticality: Criticality = Criticality.MAJOR
    world: dict[str, Any] = Field(default_factory=dict, description="Patch over the suite's world.")
    prefix: list[str] = Field(min_length=1, description="Customer messages sent in order.")
    expect: TurnAssertion


class Suite(Spec):
    name: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
    description: str = ""
    bundle: str | None = Field(None, description="Default bundle (path or ref) the suite runs against.")
    world: str | None = Field(None, description="Base world file (YAML or JSON) relative to the suite.")
    behaviours: str | None = Field(None, description="Behaviour definitions file, relative to the suite.")
    gates: str | None = Field(None, description="Gate policy file, relative to the suite.")
    personas: list[str | Persona] = Field(default_factory=list, description="Files, globs, or inline.")
    scenarios: list[str | Scenario] = Field(min_length=1, description="Files, globs, or inline.")
    turn_tests: list[str | TurnTest] = Field(default_factory=list, description="Files, globs, or inline.")
    trials: Annotated[int, Field(ge=1, le=100)] = 1
    variations: VariationSpec = Field(default_factory=VariationSpec)
    faults: FaultSpec = Field(default_factory=FaultSpec)
    seed: int = 0
    max_visitor_turns: Annotated[int, Field(ge=1, le=100)] = 20
    visitor: Literal["agenda", "llm"] = "agenda"
