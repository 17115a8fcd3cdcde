from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rehearsal.bundles.schema import AgentBundle
from rehearsal.simulate.specs import SpecValidationError, load_suite, validate_suite_against_bundle

from .builders import SCENARIO, write_suite

BUNDLE = AgentBundle.model_validate(
    {
        "metadata": {"name": "shop"},
        "agents": [
            {
                "name": "desk",
                "intents": [{"name": "refund", "examples": ["refund please"]}],
                "tools": ["refund_order"],
            }
        ],
        "tools": [
            {
                "name": "refund_order",
                "description": "Refund an order.",
                "binding": {"kind": "python", "target": "shop:refund_order"},
                "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}},
            }
        ],
    }
)


def problems(tmp_path: Path, expect: dict[str, Any], **extra: Any) -> list[str]:
    scenario = {**SCENARIO, "expect": expect, **extra}
    loaded = load_suite(write_suite(tmp_path, scenario=scenario))
    with pytest.raises(SpecValidationError) as caught:
        validate_suite_against_bundle(loaded, BUNDLE)
    return [str(problem) for problem in caught.value.problems]


def test_a_suite_matching_the_bundle_passes(tmp_path: Path) -> None:
    # Given the default scenario (refund_order with an order_id) / When checked / Then nothing is raised
    validate_suite_against_bundle(load_suite(write_suite(tmp_path)), BUNDLE)


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ({"tool_calls": [{"tool": "teleport"}]}, "expect.tool_calls[0].tool: unknown tool 'teleport'"),
        ({"forbidden_tool_calls": [{"tool": "nuke"}]}, "expect.forbidden_tool_calls[0].tool: unknown tool"),
        (
            {"tool_calls": [{"tool": "refund_order", "args": {"amount": 5}}]},
            "expect.tool_calls[0].args.amount: tool 'refund_order' has no argument 'amount'",
        ),
        ({"end_state": [{"path": "orders.A1001.colour", "value": 1}]}, "the world has no field"),
        ({"end_state": [{"path": "parcels.P1", "op": "exists"}]}, "the world has no field 'parcels.P1'"),
        ({"routes": [{"agent": "billing"}]}, "expect.routes[0].agent: unknown agent 'billing'"),
        ({"routes": [{"intent": "teleport"}]}, "unknown intent 'teleport'"),
    ],
)
def test_unknown_names_are_rejected_with_their_place(
    tmp_path: Path, expect: dict[str, Any], message: str
) -> None:
    # Given a scenario naming something the bundle or world lacks / When checked / Then its place is named
    found = problems(tmp_path, expect)
    assert any(message in problem and "refund.yaml:" in problem for problem in found), found


def test_new_records_may_be_asserted_to_exist(tmp_path: Path) -> None:
    # Given an assertion that a refund record appears under an existing collection
    expect = {"end_state": [{"path": "orders.A2000", "op": "exists"}]}
    loaded = load_suite(write_suite(tmp_path, scenario={**SCENARIO, "expect": expect}))
    # When checked / Then it is accepted: its parent exists in the world
    validate_suite_against_bundle(loaded, BUNDLE)


def test_a_patch_naming_an_unknown_collection_is_rejected(tmp_path: Path) -> None:
    world = {**SCENARIO["world"], "patch": {"parcels": {"P1": {}}}}
    assert any("world.patch.parcels" in p for p in problems(tmp_path, {}, world=world))


def test_unknown_behaviours_are_rejected_at_load(tmp_path: Path) -> None:
    # Given a behaviours file defining one behaviour, and a scenario requiring another
    (tmp_path / "behaviours.yaml").write_text(yaml.safe_dump({"behaviours": [{"id": "empathy_when_upset"}]}))
    scenario = {**SCENARIO, "expect": {"behaviours": [{"behaviour": "telepathy"}]}}
    path = write_suite(tmp_path, scenario=scenario, suite={"behaviours": "behaviours.yaml"})
    # When loaded / Then the unknown behaviour is named with its place
    with pytest.raises(SpecValidationError, match=r"expect\.behaviours\[0\]\.behaviour: unknown behaviour"):
        load_suite(path)
