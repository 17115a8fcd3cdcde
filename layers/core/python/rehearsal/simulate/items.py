"""Seeded expansion of a suite into run items: scenario × variation × trial, with stable ids and seeds.

Variation 0 is each scenario as written; variations 1..n-1 perturb tone, typo rate and behaviour toggles
with a generator seeded by (suite seed, scenario, variation) — so a variation is the same in every trial and
every run, and trials differ only by the item seed (phrasing picks, typo positions).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.simulate.sandbox import merge_world
from rehearsal.simulate.specs.faults import FaultSpec
from rehearsal.simulate.specs.loading import LoadedSuite
from rehearsal.simulate.specs.persona import Persona, Tone
from rehearsal.simulate.specs.scenario import BOOLEAN_TOGGLES, BehaviourPolicies, Scenario
from rehearsal.simulate.specs.suite import VariationSpec

_TYPO_CEILING = 0.05  # variations draw typo rates up to twice the persona's, and at least up to this


class Variation(BaseModel):
    """The concrete choices of one variation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(ge=0)
    tone: Tone
    typo_rate: float = Field(ge=0, le=0.5)
    random_phrasing: bool = True
    toggled: dict[str, bool] = Field(
        default_factory=dict, description="Policy → on/off where the variation differs from the scenario."
    )


class RunItem(BaseModel):
    """One conversation to simulate; self-contained so a stage can run it from its key alone."""

    model_config = ConfigDict(extra="forbid")

    item_id: str
    suite_name: str
    suite_hash: str
    scenario_id: str
    variation: Variation
    trial: int = Field(ge=0)
    seed: int = Field(ge=0)
    scenario: Scenario = Field(description="With the persona resolved and the variation's policies applied.")
    world: dict[str, Any] = Field(description="The initial world of this conversation (base + patch).")
    faults: FaultSpec = Field(default_factory=FaultSpec)
    max_visitor_turns: int = Field(ge=1)
    visitor: Literal["agenda", "llm"] = "agenda"

    @property
    def persona(self) -> Persona:
        assert isinstance(self.scenario.persona, Persona)  # resolved by expand
        return self.scenario.persona


def stable_seed(*parts: object) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # fits a signed 64-bit integer


def item_id(scenario_id: str, variation: int, trial: int) -> str:
    return f"{scenario_id}/v{variation:03d}/t{trial:02d}"


def expand(loaded: LoadedSuite, trials: int | None = None, *, variations: int | None = None) -> list[RunItem]:
    """Every item of the suite, in a stable order; ``trials``/``variations`` override the suite's counts."""
    suite = loaded.suite
    trial_count = trials if trials is not None else suite.trials
    items: list[RunItem] = []
    for scenario in loaded.scenarios:
        persona = loaded.persona_of(scenario)
        world = merge_world(loaded.base_world(scenario), scenario.world.patch)
        count = variations or scenario.variations or suite.variations.count
        for index in range(count):
            variation = make_variation(suite.variations, persona, scenario, index, suite.seed)
            concrete = _apply(scenario, persona, variation)
            for trial in range(trial_count):
                iid = item_id(scenario.id, index, trial)
                items.append(
                    RunItem(
                        item_id=iid,
                        suite_name=suite.name,
                        suite_hash=loaded.hash,
                        scenario_id=scenario.id,
                        variation=variation,
                        trial=trial,
                        seed=stable_seed(suite.seed, iid),
                        scenario=concrete,
                        world=world,
                        faults=scenario.faults or suite.faults,
                        max_visitor_turns=scenario.max_visitor_turns or suite.max_visitor_turns,
                        visitor=suite.visitor,
                    )
                )
    return items


def make_variation(
    spec: VariationSpec, persona: Persona, scenario: Scenario, index: int, suite_seed: int
) -> Variation:
    if index == 0:
        return Variation(
            index=0, tone=persona.tone, typo_rate=persona.typo_rate, random_phrasing=spec.phrasing
        )
    rng = random.Random(stable_seed(suite_seed, scenario.id, "variation", index))
    tone = rng.choice([persona.tone, *persona.tones]) if spec.tone else persona.tone
    ceiling = max(2 * persona.typo_rate, _TYPO_CEILING)
    typo_rate = round(rng.uniform(0, ceiling), 4) if spec.typos else persona.typo_rate
    toggled: dict[str, bool] = {}
    for name in spec.toggles:
        current = getattr(scenario.policies, name)
        is_on = bool(current) if name in BOOLEAN_TOGGLES else current is not None
        if rng.random() < 0.5 and (name in BOOLEAN_TOGGLES or is_on):
            toggled[name] = not is_on
    return Variation(
        index=index, tone=tone, typo_rate=typo_rate, random_phrasing=spec.phrasing, toggled=toggled
    )


def _apply(scenario: Scenario, persona: Persona, variation: Variation) -> Scenario:
    """The scenario as this variation plays it: persona inline with tone and typos, toggled policies."""
    persona = persona.model_copy(update={"tone": variation.tone, "typo_rate": variation.typo_rate})
    updates: dict[str, Any] = {}
    for name, on in variation.toggled.items():
        updates[name] = on if name in BOOLEAN_TOGGLES else None  # optional policies can only be switched off
    policies = BehaviourPolicies.model_validate({**scenario.policies.model_dump(), **updates})
    return scenario.model_copy(update={"persona": persona, "policies": policies})
