"""The deployed rehearsal run, taken from the synthesized template: its definition with the substitutions
resolved, and each stage function's handler loaded from its own code asset."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"

Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class DeployedRun:
    definition: str
    handlers: dict[str, Handler]  # function name (its logical id) → handler


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _resolve(value: Any, refs: dict[str, str]) -> str:
    """A substitution value: ``Fn::GetAtt [fn, Arn]`` of a stage function, or ``Ref`` of the bucket."""
    if isinstance(value, str):
        return value
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        assert attribute == "Arn", value
        return function_arn(logical_id)
    return refs[value["Ref"]]


def _load_handler(asset_dir: Path, handler: str, logical_id: str) -> Handler:
    module_name, function = handler.rsplit(".", 1)
    spec = importlib.util.spec_from_file_location(f"deployed_{logical_id}", asset_dir / f"{module_name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    resolved: Handler = getattr(module, function)
    return resolved


def deployed_run(template_path: Path, *, bucket: str) -> DeployedRun:
    template = json.loads(template_path.read_text())
    resources = template["Resources"]
    [(_, machine)] = [
        (name, res)
        for name, res in resources.items()
        if res["Type"] == "AWS::StepFunctions::StateMachine" and "RehearsalRun" in name
    ]
    properties = machine["Properties"]
    source = (template_path.parent / f"asset.{properties['DefinitionS3Location']['Key']}").read_text()
    bucket_ids = [
        name for name, res in resources.items() if res["Type"] == "AWS::S3::Bucket" and "Data" in name
    ]
    substitutions = {
        key: _resolve(value, {bucket_ids[0]: bucket})
        for key, value in properties["DefinitionSubstitutions"].items()
    }
    definition = re.sub(r"\$\{(\w+)\}", lambda match: substitutions[match.group(1)], source)
    handlers = {}
    for value in properties["DefinitionSubstitutions"].values():
        if not isinstance(value, dict) or "Fn::GetAtt" not in value:
            continue
        logical_id = value["Fn::GetAtt"][0]
        function = resources[logical_id]["Properties"]
        asset_dir = template_path.parent / f"asset.{function['Code']['S3Key'].removesuffix('.zip')}"
        handlers[logical_id] = _load_handler(asset_dir, function["Handler"], logical_id)
    return DeployedRun(definition=definition, handlers=handlers)
