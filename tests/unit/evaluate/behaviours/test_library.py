from __future__ import annotations

from pathlib import Path

import pytest

from rehearsal.evaluate.behaviours import load_behaviours
from rehearsal.simulate.specs.errors import SpecValidationError

GOOD = """\
behaviours:
  - id: greeted
    description: Greeted the customer
    trigger: {kind: conversation_start}
    detector:
      kind: agent_says
      classifier: {patterns: ["^hello"]}
"""


def test_a_behaviours_file_loads(tmp_path: Path):
    path = tmp_path / "behaviours.yaml"
    path.write_text(GOOD)
    assert [b.id for b in load_behaviours(path).behaviours] == ["greeted"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("conversation_start", "sunrise"), ":4: behaviours[0].trigger"),
        (GOOD.replace('["^hello"]', '["(oops"]'), ":7: behaviours[0].detector.classifier.patterns"),
        (
            GOOD.replace("    description: Greeted the customer\n", ""),
            ":2: behaviours[0].description: Field required",
        ),
        (
            GOOD + GOOD.replace("behaviours:\n", ""),
            ":1: duplicate behaviour id 'greeted'",
        ),
        (
            GOOD.replace(
                "trigger: {kind: conversation_start}", "trigger: {kind: conversation_start}\n    colour: red"
            ),
            ":5: behaviours[0].colour",
        ),
    ],
)
def test_a_bad_behaviours_file_names_the_file_line_and_path(tmp_path: Path, text: str, expected: str):
    # Given
    path = tmp_path / "behaviours.yaml"
    path.write_text(text)

    # When / Then
    with pytest.raises(SpecValidationError) as error:
        load_behaviours(path)
    assert f"behaviours.yaml{expected}" in str(error.value)


def test_a_missing_behaviours_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(SpecValidationError, match="cannot read"):
        load_behaviours(tmp_path / "nope.yaml")
