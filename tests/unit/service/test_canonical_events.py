"""The canonical events in ``tests/events`` match the stage contracts (what each Lambda receives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from rehearsal.pipeline.events import (
    AggregateRequest,
    EvaluateRequest,
    GateRequest,
    ItemFailure,
    PrepareRequest,
    PromoteRequest,
    SimulateRequest,
)
from rehearsal.service.drift import DriftCheckRequest, DriftCompareRequest, DriftFinding
from rehearsal.service.lambdas import EventValidationError, parse_event

EVENTS = Path(__file__).resolve().parents[2] / "events"
CONTRACTS: dict[str, type[BaseModel]] = {
    "prepare.json": PrepareRequest,
    "simulate.json": SimulateRequest,
    "evaluate.json": EvaluateRequest,
    "item_failure.json": ItemFailure,
    "aggregate.json": AggregateRequest,
    "gate.json": GateRequest,
    "promote.json": PromoteRequest,
    "drift_check.json": DriftCheckRequest,
    "drift_compare.json": DriftCompareRequest,
    "drift_finding.json": DriftFinding,
}


def test_every_canonical_event_has_a_contract() -> None:
    assert {path.name for path in EVENTS.glob("*.json")} == set(CONTRACTS)


@pytest.mark.parametrize(("name", "model"), CONTRACTS.items())
def test_canonical_event_validates_against_its_contract(name: str, model: type[BaseModel]) -> None:
    # Given the event as a Lambda receives it
    data = json.loads((EVENTS / name).read_text())

    # When parsing it as its stage does
    parsed = parse_event(model, data)

    # Then every field it carries is a field of the contract
    assert set(parsed.model_dump(exclude_unset=True)) == set(data)


def test_events_carry_keys_not_transcripts() -> None:
    for path in EVENTS.glob("*.json"):
        assert len(path.read_bytes()) < 2048, f"{path.name} is larger than a reference-only event should be"


@pytest.mark.parametrize(
    ("name", "model", "path"),
    [
        ("malformed/simulate_missing_item.json", SimulateRequest, "item_id"),
        ("malformed/simulate_bad_run_id.json", SimulateRequest, "run_id"),
        ("malformed/prepare_bad_trials.json", PrepareRequest, "options.trials"),
        ("malformed/evaluate_unknown_field.json", EvaluateRequest, "transcript"),
    ],
)
def test_malformed_event_names_the_failing_field(name: str, model: type[BaseModel], path: str) -> None:
    data = json.loads((EVENTS / name).read_text())

    with pytest.raises(EventValidationError) as raised:
        parse_event(model, data)

    assert raised.value.model == model.__name__
    assert [problem.split(":")[0] for problem in raised.value.problems] == [path]
