from __future__ import annotations

from pathlib import Path
from typing import Any

from rehearsal.simulate.items import expand
from rehearsal.simulate.specs import Persona, load_suite

from .builders import SCENARIO, write_suite

VARIATIONS: dict[str, Any] = {
    "count": 5,
    "tone": True,
    "toggles": ["withhold_until_asked", "piecemeal", "push_back_once"],
}
VARIED: dict[str, Any] = {
    "variations": VARIATIONS,
    "trials": 3,
    "seed": 11,
}


def test_expansion_counts_and_ids(tmp_path: Path) -> None:
    # Given a suite of one scenario with 5 variations and 3 trials
    loaded = load_suite(write_suite(tmp_path, suite=VARIED))
    # When it is expanded
    items = expand(loaded)
    # Then there is one item per variation and trial, with stable readable ids
    assert len(items) == 15
    assert items[0].item_id == "refund/v000/t00"
    assert items[-1].item_id == "refund/v004/t02"
    assert len({item.seed for item in items}) == 15


def test_expansion_is_deterministic(tmp_path: Path) -> None:
    # Given the same suite loaded twice
    path = write_suite(tmp_path, suite=VARIED)
    # When each is expanded
    first, second = expand(load_suite(path)), expand(load_suite(path))
    # Then items are identical
    assert [i.model_dump() for i in first] == [i.model_dump() for i in second]


def test_trials_override_and_seed_changes_variations(tmp_path: Path) -> None:
    # Given a suite expanded with an explicit trial count, and the same suite with another seed
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    items = expand(load_suite(write_suite(tmp_path / "a", suite=VARIED)), trials=1)
    reseeded = expand(load_suite(write_suite(tmp_path / "b", suite={**VARIED, "seed": 12})), trials=1)
    # Then the override wins and the seed changes what variations choose
    assert len(items) == 5
    assert [i.seed for i in items] != [i.seed for i in reseeded]


def test_variation_zero_is_the_scenario_as_written(tmp_path: Path) -> None:
    # Given a suite with variations
    items = expand(load_suite(write_suite(tmp_path, suite=VARIED)))
    # When the first variation is inspected
    first = items[0]
    # Then it keeps the persona's tone and typo rate, and no policy is toggled
    assert isinstance(first.scenario.persona, Persona)
    assert first.variation.tone == "polite"
    assert first.variation.toggled == {}
    assert first.scenario.policies == load_suite(write_suite(tmp_path)).scenarios[0].policies


def test_variations_toggle_policies_and_are_shared_by_trials(tmp_path: Path) -> None:
    # Given many variations of a scenario with toggles
    suite = {**VARIED, "variations": {**VARIATIONS, "count": 40}}
    items = expand(load_suite(write_suite(tmp_path, suite=suite)))
    # When variations are compared
    toggled = [item for item in items if item.variation.toggled]
    # Then some toggle policies, applied to the concrete scenario, and every trial of a variation agrees
    assert toggled
    sample = toggled[0]
    for name, on in sample.variation.toggled.items():
        assert getattr(sample.scenario.policies, name) is on
    by_variation: dict[int, set[str]] = {}
    for item in items:
        by_variation.setdefault(item.variation.index, set()).add(item.variation.model_dump_json())
    assert all(len(kinds) == 1 for kinds in by_variation.values())


def test_items_carry_the_merged_world(tmp_path: Path) -> None:
    # Given a scenario that patches the base world (and deletes one field)
    patch = {"orders": {"A1001": {"status": None, "x": 1}}}
    scenario = {**SCENARIO, "world": {**SCENARIO["world"], "patch": patch}}
    items = expand(load_suite(write_suite(tmp_path, scenario=scenario)))
    # Then its items start from base + patch
    assert items[0].world == {"orders": {"A1001": {"x": 1}}}


def test_hundreds_of_variations_expand_with_distinct_seeds(tmp_path: Path) -> None:
    # Given a scenario asked for 300 variations
    suite = {**VARIED, "trials": 1, "variations": {**VARIATIONS, "count": 300}}
    items = expand(load_suite(write_suite(tmp_path, suite=suite)))
    # Then each is its own item, and the variations spread over typo rates and toggles
    assert len(items) == 300
    assert len({item.seed for item in items}) == 300
    assert len({item.variation.typo_rate for item in items}) > 100
    assert len({tuple(sorted(item.variation.toggled.items())) for item in items}) > 4


def test_a_scenario_s_faults_override_the_suite_s(tmp_path: Path) -> None:
    # Given a suite-wide latency fault and a scenario with its own error fault
    scenario = {**SCENARIO, "faults": {"error_rate": 1.0, "tools": ["refund_order"]}}
    path = write_suite(tmp_path, scenario=scenario, suite={"faults": {"latency_ms": 5}})
    # When expanded / Then the scenario's faults win
    [item] = expand(load_suite(path))
    assert item.faults.error_rate == 1.0
    assert item.faults.latency_ms == 0
