"""The CSV importer: one row per turn, bad rows quarantined alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearsal.insights.conversation import Outcome, Speaker
from rehearsal.insights.ingest import IngestError, ingest_path

HEADER = "conversation_id,speaker,text,time,outcome,tool_name,tool_arguments,queue\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "turns.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_rows_are_grouped_into_conversations_in_file_order(tmp_path: Path) -> None:
    # Given two conversations' turns, interleaved, with times, an outcome, a tool call and a free column
    path = write(
        tmp_path,
        "a,customer,where is my card,2024-05-01T10:00:00Z,resolved,,,cards\n"
        "b,user,hello,2024-05-01T11:00:00+01:00,,,,\n"
        'a,agent,let me check,2024-05-01T10:01:00Z,,card_status,"{""card"": ""x""}",\n'
        "a,customer,thanks,1714557720,,,,\n",
    )
    # When the file is ingested
    result = ingest_path(path, "csv")
    # Then each conversation has its turns in order, with speaker aliases, times, tool calls and metadata
    first = {c.id: c for c in result.conversations}["a"]
    assert [t.speaker for t in first.turns] == [Speaker.CUSTOMER, Speaker.HUMAN_AGENT, Speaker.CUSTOMER]
    assert first.turns[1].tool_calls[0].name == "card_status"
    assert first.turns[1].tool_calls[0].arguments == {"card": "x"}
    assert first.outcome is Outcome.RESOLVED
    assert first.metadata == {"queue": "cards"}
    assert first.handle_time_seconds == 120.0
    assert result.quarantined == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("a,robot,hi,,,,,\n", "speaker: unknown speaker"),
        ("a,customer,hi,yesterday,,,,\n", "time:"),
        ("a,customer,hi,2024-05-01T10:00:00,,,,\n", "no timezone"),
        (",customer,hi,,,,,\n", "conversation_id: empty"),
        ('a,agent,hi,,,lookup,"{broken",\n', "tool_arguments: not valid JSON"),
        ("a,customer,hi,,,,,,surplus\n", "more fields than the header"),
    ],
)
def test_a_bad_row_is_quarantined_with_its_line_and_the_rest_kept(
    tmp_path: Path, row: str, reason: str
) -> None:
    # Given a good row, then a bad one
    path = write(tmp_path, "a,customer,my card is lost,,,,,\n" + row)
    # When the file is ingested
    result = ingest_path(path, "csv")
    # Then the bad row is quarantined at line 3 and the good turn kept
    assert len(result.conversations[0].turns) == 1
    assert [q.line for q in result.quarantined] == [3]
    assert reason in result.quarantined[0].reason


def test_a_missing_required_column_is_a_clear_error(tmp_path: Path) -> None:
    # Given a CSV without a speaker column
    path = write(tmp_path, "a,hello\n", header="conversation_id,text\n")
    # When it is ingested / Then the error names the file, the line and the column
    with pytest.raises(IngestError, match=r"turns.csv:1: missing column\(s\) speaker"):
        ingest_path(path, "csv")
