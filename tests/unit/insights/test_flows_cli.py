"""``rehearsal insights flows|draft-bundle|personas|report`` end to end on an ingested refund corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from flows.refund_corpus import refund_corpus
from typer.testing import CliRunner

from rehearsal.bundles.loader import load_bundle
from rehearsal.cli.main import app
from rehearsal.settings import Settings
from rehearsal.simulate.specs.loading import load_suite

runner = CliRunner()


@pytest.fixture
def corpus(tmp_settings: Settings, tmp_path: Path) -> str:
    source = tmp_path / "refunds.jsonl"
    source.write_text("".join(c.model_dump_json() + "\n" for c in refund_corpus()), encoding="utf-8")
    result = runner.invoke(app, ["insights", "ingest", str(source), "--format", "jsonl", "--name", "refunds"])
    assert result.exit_code == 0, result.output
    return "refunds"


def _invoke(*args: str) -> str:
    result = runner.invoke(app, ["insights", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_flows_to_draft_to_personas_to_report(corpus: str, tmp_path: Path) -> None:
    # Given an ingested corpus
    flows, draft = tmp_path / "flows", tmp_path / "draft"
    # When each stage runs on the previous stage's output
    _invoke("flows", corpus, "--out", str(flows), "--group-by", "task")
    _invoke("draft-bundle", corpus, "--flows", str(flows), "--out", str(draft), "--name", "refunds")
    _invoke("personas", corpus, "--flows", str(flows), "--out", str(draft), "--per-group", "4")
    _invoke("report", "--flows", str(flows), "--out", str(tmp_path / "report.html"))
    # Then the graph, a loadable bundle, a suite that loads against it, and the report are written
    graph = json.loads((flows / "refund.json").read_text())["graph"]
    assert {"from": "__start__", "to": "ask_order", "count": 20} in graph["edges"]
    assert load_bundle(draft / "bundle.yaml").name == "refunds"
    suite = load_suite(draft / "suite.yaml")
    assert len(suite.scenarios) == 4
    assert yaml.safe_load((draft / "suite.yaml").read_text())["bundle"] == "bundle.yaml"
    assert "<svg" in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["flows", "nothing", "--out", "x"], "no corpus named 'nothing'"),
        (["flows", "refunds", "--out", "x", "--group-by", "task", "--topics", "t"], "not both"),
        (
            ["flows", "refunds", "--out", "x", "--group-by", "region"],
            "no conversation has the metadata field",
        ),
        (
            ["draft-bundle", "refunds", "--flows", "missing", "--out", "x"],
            "run `rehearsal insights flows` first",
        ),
    ],
)
def test_mistakes_get_a_readable_message(corpus: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["insights", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_unknown_group_for_the_draft_is_named(corpus: str, tmp_path: Path) -> None:
    _invoke("flows", corpus, "--out", str(tmp_path / "flows"), "--group-by", "task")
    result = runner.invoke(
        app,
        [
            "insights",
            "draft-bundle",
            corpus,
            "--flows",
            str(tmp_path / "flows"),
            "--out",
            "x",
            "--group",
            "billing",
        ],
    )
    assert result.exit_code == 2
    assert "unknown group(s) billing; known: refund" in result.output
