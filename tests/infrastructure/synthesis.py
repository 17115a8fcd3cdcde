"""The synthesized stack and the ways tests read it."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # the CDK app is the package ``infra`` at the repository root
    sys.path.insert(0, str(REPO_ROOT))


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    template: dict[str, Any]

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.template["Resources"].items() if res["Type"] == type_}

    def state_machine(self, name_fragment: str) -> tuple[str, dict[str, Any]]:
        matches = [
            (name, res)
            for name, res in self.resources("AWS::StepFunctions::StateMachine").items()
            if name_fragment in name
        ]
        assert len(matches) == 1, f"one state machine named like {name_fragment!r} expected"
        return matches[0]

    def definition(self, name_fragment: str) -> dict[str, Any]:
        """The ASL as deployed: the asset file named by ``DefinitionS3Location``."""
        _, machine = self.state_machine(name_fragment)
        key = machine["Properties"]["DefinitionS3Location"]["Key"]
        return json.loads((self.outdir / f"asset.{key}").read_text())

    def policy_statements(self, role_fragment: str) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = []
        for name, policy in self.resources("AWS::IAM::Policy").items():
            if role_fragment in name:
                statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
        return statements
