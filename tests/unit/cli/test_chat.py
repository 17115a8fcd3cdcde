from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.settings import Settings

BUNDLE = Path(__file__).resolve().parents[3] / "examples" / "acme_retail" / "bundle.v2.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["chat", str(BUNDLE), *args])
    return result.exit_code, result.output


def test_scripted_chat_shows_tool_calls_handoffs_and_guardrails(tmp_settings: Settings) -> None:
    code, output = run("--say", "I want a refund for order A1003", "--say", "this is ridiculous")
    assert code == 0
    assert "handoff triage → billing" in output
    assert "tool lookup_order" in output
    assert "guardrail escalation:angry_customer handed_off" in output
    assert "ended escalated" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--engine", "magic"), "--engine must be flow or llm"),
        (("--engine", "llm"), "REHEARSAL_LLM_BASE_URL"),
        (("--world", "/nonexistent/world.yaml"), "cannot read the world file"),
    ],
)
def test_bad_options_are_readable_errors(
    tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    monkeypatch.delenv("REHEARSAL_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("REHEARSAL_LLM_API_KEY", raising=False)
    code, output = run(*args)
    assert code == 2
    assert message in output


def test_unknown_bundle_file_is_a_readable_error(tmp_settings: Settings) -> None:
    result = CliRunner().invoke(app, ["chat", "missing-bundle.yaml"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
