"""The JSONL importer: one Conversation per line, bad lines quarantined with line and reason."""

from __future__ import annotations

import json
from pathlib import Path

from rehearsal.insights.ingest import ingest_path

GOOD = {
    "id": "c1",
    "turns": [{"speaker": "customer", "text": "my card never arrived"}],
    "outcome": "resolved",
}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_lines_become_conversations(tmp_path: Path) -> None:
    # Given a JSONL file of two valid conversations
    other = {**GOOD, "id": "c2"}
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(GOOD), json.dumps(other)])
    # When it is ingested
    result = ingest_path(path, "jsonl")
    # Then both are kept, nothing quarantined
    assert [c.id for c in result.conversations] == ["c1", "c2"]
    assert result.quarantined == []


def test_bad_lines_are_quarantined_with_line_and_reason_and_the_rest_kept(tmp_path: Path) -> None:
    # Given a file with broken JSON, a schema error, a duplicate id and a blank line among good lines
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({"id": "c3", "turns": [{"speaker": "robot", "text": "x"}]}),
        "",
        json.dumps(GOOD),
        json.dumps({**GOOD, "id": "c4"}),
    ]
    path = write_lines(tmp_path / "c.jsonl", lines)
    # When it is ingested
    result = ingest_path(path, "jsonl")
    # Then the good conversations survive and each bad line is named with its reason
    assert [c.id for c in result.conversations] == ["c1", "c4"]
    problems = {q.line: q.reason for q in result.quarantined}
    assert set(problems) == {2, 3, 5}
    assert "not valid JSON" in problems[2]
    assert problems[3].startswith("turns.0.speaker:")
    assert "duplicate" in problems[5]
    assert all(q.file == str(path) for q in result.quarantined)


def test_quarantine_reasons_do_not_echo_the_rejected_values(tmp_path: Path) -> None:
    # Given a rejected record that carries personal data in the offending field
    bad = {"id": "c9", "turns": [{"speaker": "jane.doe@example.com", "text": "hi"}]}
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(bad)])
    # When it is ingested
    result = ingest_path(path, "jsonl")
    # Then the reason names the place but not the value
    assert "jane.doe@example.com" not in result.quarantined[0].reason


def test_ingested_conversations_are_de_identified(tmp_path: Path) -> None:
    # Given a conversation with an email address
    record = {"id": "c1", "turns": [{"speaker": "customer", "text": "I am at jo@example.com"}]}
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(record)])
    # When it is ingested
    result = ingest_path(path, "jsonl")
    # Then the stored text carries a placeholder
    assert result.conversations[0].turns[0].text == "I am at [EMAIL_1]"
