"""``rehearsal suite validate|play`` on the Acme Retail example."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme_retail"
runner = CliRunner()


def test_validate_summarises_a_good_suite(tmp_settings: Settings) -> None:
    # When the example suite is validated (against its own bundle)
    result = runner.invoke(app, ["suite", "validate", str(EXAMPLE / "suite.yaml")])
    # Then it succeeds and says what the suite holds
    assert result.exit_code == 0, result.output
    assert "16 scenarios" in result.output
    assert "matches bundle acme-retail@" in result.output


def test_validate_names_each_problem_and_exits_2(tmp_settings: Settings, tmp_path: Path) -> None:
    # Given a copy of the suite whose scenario names a tool the bundle lacks
    copy = tmp_path / "acme"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    scenario = copy / "scenarios" / "refund_status.yaml"
    scenario.write_text(scenario.read_text().replace("tool: lookup_payment", "tool: lookup_paymnt"))
    # When validated
    result = runner.invoke(app, ["suite", "validate", str(copy / "suite.yaml")])
    # Then the problem is printed with file, line and path, without a traceback
    assert result.exit_code == 2
    line = next(n for n, text in enumerate(scenario.read_text().splitlines(), 1) if "lookup_paymnt" in text)
    assert (
        f"refund_status.yaml:{line}: expect.tool_calls[0].tool: unknown tool 'lookup_paymnt'" in result.output
    )
    assert "Traceback" not in result.output


def test_play_prints_the_conversation_with_acts_and_tool_calls(tmp_settings: Settings) -> None:
    # When a scenario is played against v1
    args = [
        "suite",
        "play",
        str(EXAMPLE / "suite.yaml"),
        "refund_damaged",
        "-b",
        str(EXAMPLE / "bundle.v1.yaml"),
    ]
    result = runner.invoke(app, args)
    # Then the transcript shows the visitor's acts, the unverified refund and how it ended
    assert result.exit_code == 0, result.output
    assert "request(refund)" in result.output
    assert "refund_order(" in result.output
    assert "visitor: goal_met" in result.output


def test_play_rejects_an_unknown_scenario(tmp_settings: Settings) -> None:
    result = runner.invoke(app, ["suite", "play", str(EXAMPLE / "suite.yaml"), "nope"])
    assert result.exit_code == 2
    assert "no scenario 'nope'" in result.output


def test_schema_prints_the_json_schema_of_a_spec(tmp_settings: Settings) -> None:
    result = runner.invoke(app, ["suite", "schema", "scenario"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert {"persona", "goal", "expect"} <= set(schema["properties"])


def test_schema_rejects_an_unknown_kind(tmp_settings: Settings) -> None:
    result = runner.invoke(app, ["suite", "schema", "spaceship"])
    assert result.exit_code == 2
    assert "no spec kind 'spaceship'" in result.output
