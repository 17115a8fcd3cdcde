"""``rehearsal insights ingest|topics|assign`` end to end on small files (lexical embeddings: no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.insights.corpus import iter_corpus, load_quarantine
from rehearsal.llm.stub_server import StubOpenAIServer
from rehearsal.settings import Settings
from rehearsal.storage.local import LocalBlobStore

INTENTS = {
    "card": [
        "my card has not arrived",
        "where is my new card",
        "card still not delivered",
        "new card arrival",
    ],
    "refund": ["I want a refund", "refund my last payment", "how do I get a refund", "refund a wrong charge"],
    "pin": ["I forgot my pin", "reset my pin please", "my pin is blocked", "change my pin code"],
}

runner = CliRunner()


def utterance_csv(path: Path, *, with_ids: bool) -> Path:
    rows = [text for texts in INTENTS.values() for text in texts for _ in range(3)]
    header = "id,text\n" if with_ids else "text,label\n"
    body = "".join(f"u{n},{text} {n}\n" if with_ids else f"{text} {n},x\n" for n, text in enumerate(rows))
    path.write_text(header + body, encoding="utf-8")
    return path


def star_line(dialogue_id: int, text: str) -> str:
    events = [
        {"Agent": "User", "Action": "utter", "Text": "Hello", "UnixTime": 1},
        {"Agent": "User", "Action": "utter", "Text": text, "UnixTime": 2},
        {
            "Agent": "Wizard",
            "Action": "pick_suggestion",
            "ActionLabel": "ask_name",
            "Text": "Name?",
            "UnixTime": 3,
        },
    ]
    record = {
        "DialogueID": dialogue_id,
        "CompletionLevel": "Complete",
        "Scenario": {"WizardCapabilities": [{"Task": "bank_balance"}]},
        "Events": events,
    }
    return json.dumps(record)


def test_ingest_stores_a_de_identified_corpus_and_reports_quarantine(
    tmp_settings: Settings, tmp_path: Path
) -> None:
    # Given a STAR file with personal data and one broken line
    path = tmp_path / "star.jsonl"
    path.write_text(
        star_line(1, "my name is Priya, my card 4111 1111 1111 1111") + "\n{oops\n", encoding="utf-8"
    )
    # When it is ingested
    result = runner.invoke(app, ["insights", "ingest", str(path), "--format", "star", "--name", "bank"])
    # Then the corpus is stored without the personal data and the bad line is reported by place
    assert result.exit_code == 0, result.output
    assert "1 record(s) quarantined" in result.output
    assert f"{path}:2: not valid JSON" in result.output
    blobs = LocalBlobStore(tmp_settings.home / "blobs")
    (conversation,) = iter_corpus(blobs, "bank")
    stored = conversation.model_dump_json()
    assert "Priya" not in stored and "4111" not in stored
    assert load_quarantine(blobs, "bank")[0].line == 2


def test_ingest_with_nothing_usable_is_a_user_error(tmp_settings: Settings, tmp_path: Path) -> None:
    # Given a file with only bad lines
    path = tmp_path / "bad.jsonl"
    path.write_text("{oops\n", encoding="utf-8")
    # When it is ingested / Then the command fails with a message and the place, without a traceback
    result = runner.invoke(app, ["insights", "ingest", str(path), "--format", "jsonl"])
    assert result.exit_code == 2
    assert "no conversation could be ingested" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("with_ids", [True, False])
def test_topics_on_an_utterance_csv_writes_topics_and_one_assignment_per_row(
    tmp_settings: Settings, tmp_path: Path, with_ids: bool
) -> None:
    # Given an utterance CSV, with or without an id column
    path = utterance_csv(tmp_path / "utterances.csv", with_ids=with_ids)
    out = tmp_path / "out"
    # When topics are discovered with the lexical fallback
    result = runner.invoke(
        app, ["insights", "topics", str(path), "--out", str(out), "--embeddings", "lexical"]
    )
    # Then topics.json and assignments.jsonl exist, ids are the id column or the 0-based row number
    assert result.exit_code == 0, result.output
    model = json.loads((out / "topics.json").read_text())
    assert len(model["topics"]) >= 2
    lines = [json.loads(line) for line in (out / "assignments.jsonl").read_text().splitlines()]
    assert len(lines) == 36
    expected = [f"u{n}" for n in range(36)] if with_ids else [str(n) for n in range(36)]
    assert [line["id"] for line in lines] == expected
    assert {line["topic"] for line in lines} <= {topic["id"] for topic in model["topics"]}


def test_topics_without_the_text_column_names_the_columns_found(
    tmp_settings: Settings, tmp_path: Path
) -> None:
    # Given a CSV without a text column
    path = tmp_path / "u.csv"
    path.write_text("id,utterance\n1,hello\n", encoding="utf-8")
    # When topics are asked for / Then the error names the file, the column and what was found
    result = runner.invoke(app, ["insights", "topics", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "no 'text' column" in result.output and "id, utterance" in result.output


def test_topics_on_an_unknown_corpus_says_to_ingest_first(tmp_settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, ["insights", "topics", "nothing-here", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "run `rehearsal insights ingest` first" in result.output


def test_topics_refuses_a_tiny_corpus_with_a_clear_message(tmp_settings: Settings, tmp_path: Path) -> None:
    # Given a corpus of three utterances
    path = tmp_path / "u.csv"
    path.write_text("text\nmy card\nmy pin\na refund\n", encoding="utf-8")
    # When topics are asked for / Then the message says how many are needed
    result = runner.invoke(
        app, ["insights", "topics", str(path), "--out", str(tmp_path / "o"), "--embeddings", "lexical"]
    )
    assert result.exit_code == 2
    assert "at least" in result.output


def test_assign_adds_new_data_to_earlier_topics(
    tmp_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given topics built with an OpenAI-compatible embeddings endpoint (a local stub)
    with StubOpenAIServer() as server:
        monkeypatch.setenv("REHEARSAL_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("REHEARSAL_LLM_API_KEY", "k")
        first = utterance_csv(tmp_path / "first.csv", with_ids=True)
        built = runner.invoke(app, ["insights", "topics", str(first), "--out", str(tmp_path / "t1")])
        new = tmp_path / "new.csv"
        new.write_text("id,text\nn1,I want a refund 100\nn2,reset my pin please 101\n", encoding="utf-8")
        # When new utterances are assigned to them
        result = runner.invoke(
            app,
            ["insights", "assign", str(new), "--topics", str(tmp_path / "t1"), "--out", str(tmp_path / "t2")],
        )
    # Then each new id has an assignment and the updated model counts them
    assert built.exit_code == 0, built.output
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "t2" / "assignments.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == ["n1", "n2"]
    model = json.loads((tmp_path / "t2" / "topics.json").read_text())
    assert model["total_items"] == 38
