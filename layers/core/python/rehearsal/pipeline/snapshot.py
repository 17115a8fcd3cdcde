"""A run's suite snapshot: the loaded suite with every referenced file resolved, as one JSON document.

A run reads only its snapshot, never the suite's files, so the stages can run anywhere (a Lambda has no
checkout) and a finished run can be re-read exactly as it ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.evaluate.behaviours.library import load_behaviours
from rehearsal.evaluate.gates import GatePolicy
from rehearsal.simulate.specs.loading import LoadedSuite
from rehearsal.simulate.specs.persona import Persona
from rehearsal.simulate.specs.scenario import Scenario
from rehearsal.simulate.specs.suite import Suite, TurnTest


class SuiteSnapshot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hash: str
    suite: Suite
    personas: dict[str, Persona] = Field(default_factory=dict)
    scenarios: list[Scenario] = Field(default_factory=list)
    turn_tests: list[TurnTest] = Field(default_factory=list)
    worlds: dict[str, dict[str, Any]] = Field(default_factory=dict)
    behaviours: dict[str, Any] | None = Field(None, description="The behaviour set, as data.")
    gates: GatePolicy | None = None

    @property
    def name(self) -> str:
        return self.suite.name

    @classmethod
    def of(cls, loaded: LoadedSuite, *, gates: GatePolicy | None = None) -> SuiteSnapshot:
        behaviours = load_behaviours(loaded.behaviours_path) if loaded.behaviours_path else None
        if gates is None and loaded.gates_path is not None:
            gates = GatePolicy.load(loaded.gates_path)
        return cls(
            hash=loaded.hash,
            suite=loaded.suite,
            personas=loaded.personas,
            scenarios=loaded.scenarios,
            turn_tests=loaded.turn_tests,
            worlds=loaded.worlds,
            behaviours=behaviours.model_dump(mode="json") if behaviours else None,
            gates=gates,
        )

    def restore(self) -> LoadedSuite:
        return LoadedSuite(
            suite=self.suite,
            hash=self.hash,
            path=Path(f"<snapshot {self.hash[:12]}>"),
            personas=self.personas,
            scenarios=self.scenarios,
            turn_tests=self.turn_tests,
            worlds=self.worlds,
        )
