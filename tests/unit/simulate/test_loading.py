from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rehearsal.simulate.specs import SpecValidationError, load_suite

from .builders import SCENARIO, write_suite

GOAL = SCENARIO["goal"]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SpecValidationError) as caught:
        load_suite(path)
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_suite_loads_with_resolved_files(tmp_path: Path) -> None:
    # Given a suite referencing persona and scenario files by glob, and a world file
    path = write_suite(tmp_path)
    # When it is loaded
    loaded = load_suite(path)
    # Then personas, scenarios and the world are resolved
    assert list(loaded.personas) == ["jane"]
    assert [s.id for s in loaded.scenarios] == ["refund"]
    assert loaded.base_world(loaded.scenarios[0]) == {"orders": {"A1001": {"status": "delivered"}}}
    assert len(loaded.hash) == 64


def test_the_hash_follows_content_not_formatting(tmp_path: Path) -> None:
    # Given the same suite written twice, once with a changed scenario
    for name in "abc":
        (tmp_path / name).mkdir()
    first = load_suite(write_suite(tmp_path / "a"))
    same = load_suite(write_suite(tmp_path / "b"))
    changed = load_suite(write_suite(tmp_path / "c", scenario={**SCENARIO, "description": "changed"}))
    # Then equal content hashes equally and a change changes the hash
    assert first.hash == same.hash
    assert first.hash != changed.hash


def test_a_bad_field_is_reported_with_file_line_and_path(tmp_path: Path) -> None:
    # Given a scenario whose forbidden-call criticality is misspelt on line 9
    text = (
        "id: refund\npersona: jane\ngoal:\n  intent: refund\n  utterances: [hi]\n  done_when: [done]\n"
        "expect:\n  forbidden_tool_calls:\n    - {tool: refund_order, criticality: urgent}\n"
    )
    path = write_suite(tmp_path, scenario=text)
    # When it is loaded / Then the problem names the scenario file, its line and the JSON path
    [problem] = problems_of(path)
    where = f"{tmp_path / 'scenarios' / 'refund.yaml'}:9: expect.forbidden_tool_calls[0].criticality:"
    assert problem.startswith(where)


@pytest.mark.parametrize(
    ("scenario", "suite", "expected"),
    [
        ({**SCENARIO, "persona": "nobody"}, None, "persona: unknown persona 'nobody'"),
        ({**SCENARIO, "colour": "red"}, None, "colour: Extra inputs are not permitted"),
        ({**SCENARIO, "goal": {**GOAL, "provides": ["email"]}}, None, "goal.provides[0]: the visitor"),
        ({**SCENARIO, "goal": {**GOAL, "utterances": ["{zip}"]}}, None, "goal.utterances[0]: placeholder"),
        ({**SCENARIO, "goal": {**GOAL, "done_when": ["(("]}}, None, "goal.done_when: "),
        ({**SCENARIO, "goal": {**GOAL, "utterances": ["Refund {order_id"]}}, None, "goal.utterances: "),
        (
            {**SCENARIO, "policies": {"off_topic": {"texts": ["Is {pet} ok?"]}}},
            None,
            "policies.off_topic.texts[0]: placeholder {pet}",
        ),
        (None, {"world": "missing.yaml"}, "world: file not found"),
        (None, {"scenarios": ["nothing/*.yaml"]}, "scenarios[0]: no file matches"),
        (None, {"variations": {"toggles": ["fly"]}}, "variations: unknown toggles"),
        (None, {"trials": 0}, "trials: Input should be greater than or equal to 1"),
        (None, {"behaviours": "behaviours.yaml"}, "behaviours: file not found"),
    ],
)
def test_bad_specs_are_reported_with_their_place(
    tmp_path: Path, scenario: dict[str, Any] | None, suite: dict[str, Any] | None, expected: str
) -> None:
    # Given a suite with one mistake
    path = write_suite(tmp_path, scenario=scenario, suite=suite)
    # When it is loaded / Then one problem names where and what
    problems = problems_of(path)
    assert any(expected in problem for problem in problems), problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    # Given a scenario with two unrelated mistakes and a suite with a third
    scenario = {**SCENARIO, "colour": "red", "start": "sideways"}
    path = write_suite(tmp_path, scenario=scenario, suite={"world": "missing.yaml"})
    # When it is loaded / Then all three are listed
    assert len(problems_of(path)) == 3


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    # Given a scenario file that is not valid YAML
    path = write_suite(tmp_path, scenario="id: refund\ngoal: [unclosed\n")
    # When it is loaded / Then the problem names the file and a line
    [problem] = problems_of(path)
    assert "refund.yaml:" in problem
    assert "not valid YAML" in problem


def test_json_spec_files_load_and_report_lines(tmp_path: Path) -> None:
    # Given a scenario written as JSON, with a bad start on its fourth line
    path = write_suite(tmp_path)
    scenario = {**SCENARIO, "start": "sideways"}
    lines = json.dumps(scenario, indent=1).splitlines()
    (tmp_path / "scenarios" / "refund.yaml").unlink()
    (tmp_path / "scenarios" / "refund.json").write_text("\n".join(lines))
    suite = path.read_text().replace("scenarios/*.yaml", "scenarios/*.json")
    path.write_text(suite)
    # When loaded / Then the problem names the JSON file and the line of `start`
    [problem] = problems_of(path)
    start_line = next(n for n, line in enumerate(lines, 1) if '"start"' in line)
    assert problem.startswith(f"{tmp_path / 'scenarios' / 'refund.json'}:{start_line}: start:")


def test_a_bad_persona_file_is_named(tmp_path: Path) -> None:
    # Given a persona with an impossible typo rate
    path = write_suite(tmp_path)
    (tmp_path / "personas" / "jane.yaml").write_text("id: jane\nname: Jane\ntypo_rate: 2\n")
    # When loaded / Then the persona file, line and field are named
    problems = problems_of(path)
    assert any(p.startswith(f"{tmp_path / 'personas' / 'jane.yaml'}:3: typo_rate:") for p in problems), (
        problems
    )


def test_absolute_globs_are_allowed(tmp_path: Path) -> None:
    # Given a suite naming its scenarios by an absolute glob
    path = write_suite(tmp_path, suite={"scenarios": [str(tmp_path / "scenarios" / "*.yaml")]})
    # When loaded / Then the scenario is found
    assert [s.id for s in load_suite(path).scenarios] == ["refund"]
