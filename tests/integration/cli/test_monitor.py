"""`rehearsal monitor` on a synthetic corpus of nine weeks: an escalation spike and a drop in human agents'
greetings are planted; the command must find them, and only them, and write the dashboard and its JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.settings import Settings

BEHAVIOURS = Path(__file__).resolve().parents[3] / "examples" / "acme_retail" / "behaviours.yaml"
FIRST_DAY = date(2026, 1, 5)
DAYS = 63
SPIKE_DAYS = {FIRST_DAY + timedelta(days=d) for d in (52, 53, 54)}
DROP_DAYS = {FIRST_DAY + timedelta(days=d) for d in (40, 41, 42)}
GREETING = "Hello, thanks for contacting Acme Retail. How can I help?"
NO_GREETING = "What's the order number?"
OUTCOMES = ("resolved", "escalated", "abandoned", "unresolved")
BASELINE_MIX = (0.80, 0.08, 0.07, 0.05)
SPIKE_MIX = (0.43, 0.45, 0.07, 0.05)


def _conversation(number: int, day: date, rng: np.random.Generator) -> tuple[dict[str, Any], str]:
    """Human and AI agents alternate; on drop days most human agents skip the greeting."""
    agent = "human_agent" if number % 2 else "ai_agent"
    skips = agent == "human_agent" and day in DROP_DAYS and rng.random() < 0.7
    outcome = str(rng.choice(OUTCOMES, p=SPIKE_MIX if day in SPIKE_DAYS else BASELINE_MIX))
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        seconds=int(rng.integers(0, 86_000))
    )
    texts = [
        (agent, NO_GREETING if skips else GREETING),
        ("customer", f"Where is my order A{1000 + number % 900}?"),
        (agent, f"Order A{1000 + number % 900} has shipped, tracking number 1Z999."),
        ("customer", "Thanks, that's all."),
    ]
    turns, moment = [], start
    for speaker, text in texts:
        turns.append({"speaker": speaker, "text": text, "time": moment.isoformat()})
        moment += timedelta(seconds=int(rng.integers(20, 120)))
    record = {
        "id": f"c{day:%m%d}-{number:03d}",
        "started_at": start.isoformat(),
        "turns": turns,
        "outcome": outcome,
        "satisfaction": round(float(rng.uniform(0.55, 1.0)), 3),
    }
    return record, outcome


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """The JSONL file (with two undated conversations and one bad line) and the ids of escalated ones."""
    rng = np.random.default_rng(20260105)
    lines, escalated = [], set()
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        for number in range(50 + int(rng.integers(-5, 6))):
            record, outcome = _conversation(number, day, rng)
            lines.append(json.dumps(record))
            if outcome == "escalated":
                escalated.add(record["id"])
    for number in range(2):
        lines.append(
            json.dumps({"id": f"undated-{number}", "turns": [{"speaker": "customer", "text": "hi"}]})
        )
    lines.append('{"id": "broken", "turns": []}')
    path = tmp_path_factory.mktemp("monitor") / "conversations.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, escalated


@pytest.fixture(scope="module")
def monitored(corpus: tuple[Path, set[str]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path, _ = corpus
    out = tmp_path_factory.mktemp("dashboard")
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REHEARSAL_BACKEND", "local")
        patch.setenv("REHEARSAL_HOME", str(home))
        result = CliRunner().invoke(
            app, ["monitor", "--corpus", str(path), "--out", str(out), "--behaviours", str(BEHAVIOURS)]
        )
    return {"result": result, "out": out, "report": json.loads((out / "monitor.json").read_text())}


def _flagged(report: dict[str, Any], metric: str, segment: str) -> set[date]:
    return {
        date.fromisoformat(a["period"])
        for a in report["anomalies"]
        if a["metric"] == metric and a["segment"] == segment
    }


def test_monitor_finds_the_planted_escalation_spike_with_escalated_evidence(
    monitored: dict[str, Any], corpus: tuple[Path, set[str]]
) -> None:
    # Given the corpus with three days of escalation spike (fixtures) / When monitored
    report = monitored["report"]
    spike = [a for a in report["anomalies"] if a["metric"] == "escalation_rate" and a["segment"] == "overall"]
    # Then exactly the spike days are flagged, upwards, citing escalated conversations
    assert {date.fromisoformat(a["period"]) for a in spike} == SPIKE_DAYS
    assert all(a["direction"] == "up" and a["evidence"] for a in spike)
    assert {i for a in spike for i in a["evidence"]} <= corpus[1]


def test_monitor_finds_the_human_greeting_drop_and_nothing_unplanted(monitored: dict[str, Any]) -> None:
    # Given / When (fixtures)
    report = monitored["report"]
    # Then human agents' greeting adherence drops on the drop days, the AI agent's does not
    assert _flagged(report, "adherence:greeted_appropriately", "agent:human") == DROP_DAYS
    assert _flagged(report, "adherence:greeted_appropriately", "agent:ai") == set()
    # and false alarms elsewhere stay rare (~500 tests at p ≈ 5e-4 each: a quarter of one expected)
    unplanted = [
        a for a in report["anomalies"] if date.fromisoformat(a["period"]) not in SPIKE_DAYS | DROP_DAYS
    ]
    assert len(unplanted) <= 1, unplanted


def test_monitor_writes_both_files_counts_undated_and_exits_zero(monitored: dict[str, Any]) -> None:
    # Given / When (fixtures)
    result, out, report = monitored["result"], monitored["out"], monitored["report"]
    # Then
    assert result.exit_code == 0, result.output
    assert "escalation_rate" in result.output and "monitor.html" in result.output
    assert "undated-0" in (out / "monitor.html").read_text()
    assert report["series"]["undated"] == 2
    assert len(report["skipped_records"]) == 1 and ":3" in report["skipped_records"][0].rsplit("jsonl", 1)[1]


def test_monitor_fails_on_anomaly_when_asked(
    corpus: tuple[Path, set[str]], tmp_path: Path, tmp_settings: Settings
) -> None:
    # Given the corpus with planted anomalies / When a scheduled check asks to fail on them
    result = CliRunner().invoke(
        app, ["monitor", "--corpus", str(corpus[0]), "--out", str(tmp_path), "--fail-on-anomaly"]
    )
    # Then
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize(
    ("corpus_arg", "expected"),
    [
        ("missing.jsonl", "missing.jsonl: no such file"),
        ("no-such-corpus", "no corpus named 'no-such-corpus'"),
    ],
)
def test_monitor_reports_a_bad_corpus_as_a_user_error(
    corpus_arg: str, expected: str, tmp_path: Path, tmp_settings: Settings
) -> None:
    # Given a corpus that does not exist / When
    result = CliRunner().invoke(app, ["monitor", "--corpus", corpus_arg, "--out", str(tmp_path)])
    # Then
    assert result.exit_code == 2
    assert expected in result.output


def test_monitor_reads_a_stored_corpus_by_name_with_its_topics(
    tmp_path: Path, tmp_settings: Settings
) -> None:
    # Given one ISO week (Monday to Sunday) of conversations ingested as corpus "week", and its topics
    rng = np.random.default_rng(3)
    source = tmp_path / "week.jsonl"
    records = [_conversation(n, FIRST_DAY + timedelta(days=d), rng)[0] for d in range(7) for n in range(5)]
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    runner = CliRunner()
    assert runner.invoke(app, ["insights", "ingest", str(source)]).exit_code == 0
    topics = tmp_path / "topics"
    topics_run = runner.invoke(
        app, ["insights", "topics", "week", "--out", str(topics), "--embeddings", "lexical"]
    )
    assert topics_run.exit_code == 0, topics_run.output
    # When
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["monitor", "--corpus", "week", "--topics", str(topics), "--out", str(out), "--period", "week"]
    )
    # Then too little history for a baseline: no anomalies; every conversation is in a topic segment
    assert result.exit_code == 0, result.output
    assert "35 conversation(s) in 1 period(s) of a week" in result.output and "no anomalies" in result.output
    segments = json.loads((out / "monitor.json").read_text())["series"]["segments"]
    by_topic = {
        s["segment"]["value"]: s["points"][0]["conversations"]
        for s in segments
        if s["segment"]["kind"] == "topic"
    }
    assert sum(by_topic.values()) == 35 and "unassigned" not in by_topic


@pytest.mark.parametrize(
    ("name", "text", "option", "expected"),
    [
        ("bad.jsonl", '{"id": "a", "turns": []}\nnot json\n', "--corpus", "bad.jsonl:1: turns"),
        ("behaviours.yaml", "behaviours:\n  - id: x\n    colour: red\n", "--behaviours", "behaviours.yaml:"),
    ],
)
def test_monitor_names_the_place_of_bad_input(
    name: str, text: str, option: str, expected: str, tmp_path: Path, tmp_settings: Settings
) -> None:
    # Given a bad file given as the corpus or the behaviours, next to a good corpus
    bad = tmp_path / name
    bad.write_text(text)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(_conversation(1, FIRST_DAY, np.random.default_rng(0))[0]) + "\n")
    args = {"--corpus": str(good), option: str(bad)}
    # When
    result = CliRunner().invoke(
        app, ["monitor", *[x for kv in args.items() for x in kv], "--out", str(tmp_path)]
    )
    # Then
    assert result.exit_code == 2, result.output
    assert expected in result.output
