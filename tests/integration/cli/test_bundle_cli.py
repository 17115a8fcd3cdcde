from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from rehearsal import __version__
from rehearsal.bundles import load_bundle
from rehearsal.cli.main import app
from rehearsal.settings import Settings

BUNDLE = """\
metadata: {name: desk}
agents:
  - name: front
    greeting: Hello, how can I help?
    instructions: |
      Answer briefly.
      Be kind.
    intents:
      - {name: hours, examples: [when are you open], flow: hours}
    flows:
      - name: hours
        stages:
          - name: answer
            steps:
              - {kind: respond, text: We are open 9 to 5.}
              - {kind: end}
"""


@pytest.fixture
def runner(tmp_settings: Settings) -> CliRunner:
    return CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    v1 = tmp_path / "desk.v1.yaml"
    v1.write_text(BUNDLE)
    v2 = tmp_path / "desk.v2.yaml"
    v2.write_text(BUNDLE.replace("Be kind.", "Be kind and precise.").replace("9 to 5", "8 to 6"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        BUNDLE.replace("flow: hours", "flow: opening_hours").replace("{kind: end}", "{kind: stop}")
    )
    return {"v1": v1, "v2": v2, "bad": bad}


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["bundle", *map(str, args)])
    return result.exit_code, result.output


def test_version_option(runner: CliRunner) -> None:
    # Given / When
    result = runner.invoke(app, ["--version"])
    # Then
    assert (result.exit_code, result.output.strip()) == (0, f"rehearsal {__version__}")


def test_validate_accepts_a_valid_bundle(runner: CliRunner, files: dict[str, Path]) -> None:
    # Given / When
    code, output = invoke(runner, "validate", files["v1"])
    # Then
    assert code == 0 and "✓" in output and "desk@" in output


def test_validate_lists_every_problem_with_its_place(runner: CliRunner, files: dict[str, Path]) -> None:
    # Given / When
    code, output = invoke(runner, "validate", files["bad"])
    # Then
    assert code == 2
    assert f"{files['bad']}:9: agents[0].intents[0].flow: intent 'hours' starts unknown flow" in output
    assert f"{files['bad']}:16: agents[0].flows[0].stages[0].steps[1].kind: unknown kind 'stop'" in output
    assert "Traceback" not in output


def test_push_list_promote_and_rollback(runner: CliRunner, files: dict[str, Path]) -> None:
    # Given
    invoke(runner, "push", files["v1"], "--label", "stable", "--promote")
    invoke(runner, "push", files["v2"], "--label", "candidate")
    # When
    promoted = invoke(runner, "promote", "desk", "candidate", "--by", "ana")
    rolled_back = invoke(runner, "rollback", "desk", "--by", "ana")
    listed = invoke(runner, "list", "desk")
    # Then
    v1 = load_bundle(files["v1"]).version
    assert promoted[0] == rolled_back[0] == listed[0] == 0
    assert f"desk@{v1[:12]} is live" in rolled_back[1]
    assert "stable" in listed[1] and "candidate" in listed[1]


def test_push_twice_is_one_version(runner: CliRunner, files: dict[str, Path]) -> None:
    # Given
    invoke(runner, "push", files["v1"])
    # When
    code, output = invoke(runner, "push", files["v1"])
    # Then
    assert code == 0 and output.startswith("already stored")


def test_diff_of_files_shows_changed_paths_and_prose(runner: CliRunner, files: dict[str, Path]) -> None:
    # Given / When
    code, output = invoke(runner, "diff", files["v1"], files["v2"])
    # Then
    assert code == 0
    assert "~ agents[name=front].flows[name=hours].stages[name=answer].steps[0].text" in output
    assert "+Be kind and precise." in output


def test_diff_of_stored_refs(runner: CliRunner, files: dict[str, Path]) -> None:
    # Given
    invoke(runner, "push", files["v1"], "--label", "stable")
    invoke(runner, "push", files["v2"], "--label", "candidate")
    # When
    code, output = invoke(runner, "diff", "desk@stable", "desk@candidate")
    # Then
    assert code == 0 and "0 added, 0 removed, 2 changed" in output


def test_get_writes_a_file_with_the_same_version(
    runner: CliRunner, files: dict[str, Path], tmp_path: Path
) -> None:
    # Given
    invoke(runner, "push", files["v1"], "--promote")
    out = tmp_path / "copy.yaml"
    # When
    code, _ = invoke(runner, "get", "desk", "--output", out)
    # Then
    assert code == 0
    assert load_bundle(out).version == load_bundle(files["v1"]).version
    assert "temperature" not in yaml.safe_load(out.read_text()).get("model", {})


def test_split_shows_shares(runner: CliRunner, files: dict[str, Path]) -> None:
    # Given
    invoke(runner, "push", files["v1"], "--label", "stable")
    invoke(runner, "push", files["v2"], "--label", "candidate")
    # When
    code, output = invoke(runner, "split", "desk", "stable=90", "candidate=10")
    # Then
    assert code == 0 and "90%" in output and "10%" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["get", "ghost"], "no bundle named 'ghost'"),
        (["rollback", "ghost"], "no earlier live version"),
        (["split", "desk", "stable"], "expected VERSION=WEIGHT"),
        (["split", "desk", "stable=-1"], "invalid split"),
        (["promote", "desk", "nope"], "no version or label 'nope'"),
    ],
)
def test_bad_requests_are_readable_errors(
    runner: CliRunner, files: dict[str, Path], args: list[str], message: str
) -> None:
    # Given
    invoke(runner, "push", files["v1"], "--label", "stable")
    # When
    code, output = invoke(runner, *args)
    # Then
    assert code == 2 and message in output and "Traceback" not in output


def test_diff_of_the_example_versions_shows_guardrail_and_flow_changes(runner: CliRunner) -> None:
    # Given
    examples = Path(__file__).resolve().parents[3] / "examples" / "acme_retail"
    # When
    code, output = invoke(runner, "diff", examples / "bundle.v1.yaml", examples / "bundle.v2.yaml")
    # Then
    assert code == 0
    assert "+ guardrails.tool_preconditions[tool=refund_order]" in output
    assert "flows[name=refund].stages[name=" in output
