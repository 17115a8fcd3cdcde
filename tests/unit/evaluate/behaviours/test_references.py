from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rehearsal.evaluate.behaviours import load_behaviours
from rehearsal.evaluate.behaviours.references import (
    behaviour_reference_problems,
    validate_behaviour_references,
)
from rehearsal.simulate.specs.errors import SpecValidationError
from rehearsal.simulate.specs.loading import load_suite

EXAMPLE = Path(__file__).parents[4] / "examples" / "acme_retail"


def test_the_example_suite_names_only_defined_behaviours():
    suite = load_suite(EXAMPLE / "suite.yaml")
    assert behaviour_reference_problems(suite, load_behaviours(suite.behaviours_path)) == []


def test_an_unknown_behaviour_is_rejected_with_its_scenario_file_line_and_path(tmp_path: Path):
    # Given a copy of the example where one scenario names a behaviour nobody defined
    copy = tmp_path / "acme"
    shutil.copytree(EXAMPLE, copy)
    scenario = copy / "scenarios" / "angry_late_delivery.yaml"
    scenario.write_text(
        scenario.read_text().replace("behaviour: empathy_when_upset", "behaviour: empathy_when_sad")
    )
    suite = load_suite(copy / "suite.yaml")

    # When / Then
    with pytest.raises(SpecValidationError) as error:
        validate_behaviour_references(suite, load_behaviours(suite.behaviours_path))
    [problem] = error.value.problems
    assert problem.file.endswith("angry_late_delivery.yaml") and problem.line is not None
    assert problem.path.endswith("expect.behaviours[0].behaviour")
    assert "unknown behaviour 'empathy_when_sad'" in problem.message
