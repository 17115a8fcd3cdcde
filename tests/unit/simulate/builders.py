"""Builders of small specs and items for the simulation tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rehearsal.simulate.items import RunItem, Variation
from rehearsal.simulate.specs import Persona, Scenario

WORLD: dict[str, Any] = {
    "customers": {"C1": {"name": "Jane Doe", "email": "jane@example.com"}},
    "orders": {"A1001": {"customer": "C1", "status": "delivered", "total": 49.99}},
}


def persona(**overrides: Any) -> Persona:
    data: dict[str, Any] = {"id": "jane", "name": "Jane Doe", "tone": "polite", "patience": 4}
    return Persona.model_validate({**data, **overrides})


def scenario(**overrides: Any) -> Scenario:
    data: dict[str, Any] = {
        "id": "refund",
        "persona": persona().model_dump(),
        "goal": {
            "intent": "refund",
            "utterances": ["I'd like a refund for order {order_id}.", "Please refund my order {order_id}."],
            "provides": ["order_id"],
            "done_when": [r"refund has been processed"],
        },
        "world": {"knows": {"order_id": "A1001", "email": "jane@example.com"}, "does_not_know": ["zip_code"]},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Scenario.model_validate(data)


def item(spec: Scenario | None = None, *, seed: int = 7, max_turns: int = 12, **fields: Any) -> RunItem:
    spec = spec or scenario()
    assert isinstance(spec.persona, Persona)
    return RunItem(
        item_id=f"{spec.id}/v000/t00",
        suite_name="tests",
        suite_hash="0" * 64,
        scenario_id=spec.id,
        variation=Variation(index=0, tone=spec.persona.tone, typo_rate=spec.persona.typo_rate),
        trial=0,
        seed=seed,
        scenario=spec,
        world=WORLD,
        max_visitor_turns=max_turns,
        **fields,
    )


PERSONA = {"id": "jane", "name": "Jane Doe", "tone": "polite"}
SCENARIO: dict[str, Any] = {
    "id": "refund",
    "persona": "jane",
    "goal": {
        "intent": "refund",
        "utterances": ["Refund order {order_id}, please."],
        "provides": ["order_id"],
        "done_when": ["refund .* processed"],
    },
    "world": {"knows": {"order_id": "A1001"}},
    "expect": {"tool_calls": [{"tool": "refund_order", "args": {"order_id": "A1001"}}]},
}


def write_suite(root: Path, *, scenario: Any = None, suite: dict[str, Any] | None = None) -> Path:
    (root / "personas").mkdir(exist_ok=True)
    (root / "scenarios").mkdir(exist_ok=True)
    (root / "personas" / "jane.yaml").write_text(yaml.safe_dump(PERSONA))
    text = scenario if isinstance(scenario, str) else yaml.safe_dump(scenario or SCENARIO, sort_keys=False)
    (root / "scenarios" / "refund.yaml").write_text(text)
    (root / "world.yaml").write_text(yaml.safe_dump({"orders": {"A1001": {"status": "delivered"}}}))
    data = {"name": "t", "world": "world.yaml", "personas": ["personas/*.yaml"]}
    data["scenarios"] = ["scenarios/*.yaml"]
    (root / "suite.yaml").write_text(yaml.safe_dump({**data, **(suite or {})}, sort_keys=False))
    return root / "suite.yaml"
