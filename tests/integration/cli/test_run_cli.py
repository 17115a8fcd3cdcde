"""``rehearsal run | report | compare | gate`` through the real CLI app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.pipeline.archive import RunArchive
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

from ..conftest import BUNDLE_V1, BUNDLE_V2, SmallSuite

runner = CliRunner()


def _run_ids(settings: Settings) -> list[str]:
    return [run.run_id for run in RunArchive(build_stores(settings)).list_runs("acme-retail")]


def test_run_writes_valid_junit_and_exits_non_zero_when_gates_fail(
    tmp_settings: Settings, small_suite: SmallSuite, tmp_path: Path
) -> None:
    # Given the flawed v1 bundle and the suite
    junit = tmp_path / "out.xml"

    # When it is rehearsed with JUnit output
    result = runner.invoke(
        app, ["run", str(BUNDLE_V1), "--suite", str(small_suite(trials=1)), "--junit", str(junit)]
    )

    # Then the exit status is 1 and the XML is JUnit: testsuites > testsuite > testcase, with failures
    assert result.exit_code == 1, result.output
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert cases
    assert root.findall("./testsuite/testcase/failure")
    assert int(root.get("failures", "0")) >= 1


def test_run_exits_zero_when_gates_pass_and_report_reprints_it(
    tmp_settings: Settings, small_suite: SmallSuite
) -> None:
    # Given a green run of v2
    result = runner.invoke(app, ["run", str(BUNDLE_V2), "--suite", str(small_suite(trials=2))])
    assert result.exit_code == 0, result.output
    (run_id,) = _run_ids(tmp_settings)

    # When its report is asked for
    report = runner.invoke(app, ["report", run_id])

    # Then it prints the gate decision and where the HTML is
    assert report.exit_code == 0, report.output
    assert "GATES PASSED" in report.output
    assert "report.html" in report.output


def test_compare_lists_improved_scenarios_and_diffs_an_item(
    tmp_settings: Settings, small_suite: SmallSuite
) -> None:
    # Given a red v1 run and a green v2 run of the same suite
    suite = str(small_suite(trials=1))
    runner.invoke(app, ["run", str(BUNDLE_V1), "--suite", suite])
    runner.invoke(app, ["run", str(BUNDLE_V2), "--suite", suite])
    before, after = _run_ids(tmp_settings)

    # When they are compared with one item's transcripts side by side
    result = runner.invoke(
        app, ["compare", before, after, "--item", "refund_damaged/v000/t00"], env={"COLUMNS": "200"}
    )

    # Then the refund scenario shows as improved and both transcripts are printed
    assert result.exit_code == 0, result.output
    assert "improved" in result.output
    assert "refund_damaged" in result.output
    assert "transcripts side by side" in result.output


def test_gate_rejudges_a_run_by_another_policy(
    tmp_settings: Settings, small_suite: SmallSuite, tmp_path: Path
) -> None:
    # Given a green run and a stricter policy it cannot meet
    runner.invoke(app, ["run", str(BUNDLE_V2), "--suite", str(small_suite(trials=2))])
    (run_id,) = _run_ids(tmp_settings)
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        "gates:\n  min_pass_rate: 1.0\n  max_critical_failures: 0\n  min_pass_hat_k: {5: 0.9}\n"
    )

    # When the run is gated by it
    result = runner.invoke(app, ["gate", run_id, "--gates", str(strict)])

    # Then it fails with a reason and exit status 1
    assert result.exit_code == 1, result.output
    assert "gates failed" in result.output


def test_unknown_run_and_bad_suite_are_clear_errors(tmp_settings: Settings, tmp_path: Path) -> None:
    # Given a suite file with a typo'd field
    bad = tmp_path / "suite.yaml"
    bad.write_text("name: broken\nscenarios: []\ntrails: 3\n")

    # When they are used
    missing = runner.invoke(app, ["report", "no-such-run"])
    invalid = runner.invoke(app, ["run", str(BUNDLE_V2), "--suite", str(bad)])

    # Then each is one readable error naming the place, with exit status 2 and no traceback
    assert missing.exit_code == 2
    assert "no run 'no-such-run'" in missing.output
    assert invalid.exit_code == 2
    assert "suite.yaml" in invalid.output
    assert "trails" in invalid.output
    assert "Traceback" not in invalid.output


def test_a_killed_run_resumes_to_completion(small_suite: SmallSuite, tmp_path: Path) -> None:
    # Given a run slowed by tool latency, killed with SIGKILL after a few items
    home = tmp_path / "home"
    env = {**os.environ, "REHEARSAL_HOME": str(home), "REHEARSAL_BACKEND": "local"}
    suite = str(small_suite(trials=3, faults={"latency_ms": 30}))
    command = [sys.executable, "-m", "rehearsal.cli", "run", str(BUNDLE_V2), "--suite", suite]
    command += ["--run-id", "killed-run", "--workers", "1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    settings = Settings(home=home)
    deadline = time.monotonic() + 240  # a loaded machine starts the process slowly
    evaluated: dict[str, bytes] = {}
    while time.monotonic() < deadline and len(evaluated) < 2:
        time.sleep(0.1)
        if (home / "runs.sqlite3").exists():
            archive = RunArchive(build_stores(settings))
            try:
                states = archive.item_states("killed-run")
            except Exception:  # the database may be mid-creation
                continue
            evaluated = {
                item_id: archive.read(archive.result_key("killed-run", item_id))
                for item_id, state in states.items()
                if state.status == "evaluated"
            }
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert 2 <= len(evaluated) < 9

    # When the same run is started again
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)

    # Then it completes every item, keeping the results it had
    assert again.returncode == 0, again.stdout + again.stderr
    archive = RunArchive(build_stores(settings))
    states = archive.item_states("killed-run")
    assert len(states) == 9
    assert all(state.status == "evaluated" for state in states.values())
    for item_id, body in evaluated.items():
        assert archive.read(archive.result_key("killed-run", item_id)) == body
