"""``rehearsal ask`` through the real CLI app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearsal.cli.main import app
from rehearsal.llm import StubOpenAIServer, StubReply
from rehearsal.settings import Settings

from .conftest import CORPUS, TRANSCRIPTS

runner = CliRunner()


def test_ask_prints_the_answer_with_citations_and_the_quoted_turns(stored_corpus: Settings) -> None:
    # When a question is asked about the stored corpus
    result = runner.invoke(app, ["ask", "Why do customers escalate about refunds?", "--corpus", CORPUS])

    # Then the answer cites turns and the table quotes them
    assert result.exit_code == 0, result.output
    assert "[r4#0]" in result.output
    assert "cited turns" in result.output
    assert "My refund was rejected and nobody explains why." in result.output


def test_ask_json_is_a_cited_answer_using_the_stored_topics(stored_topics: Settings) -> None:
    # Given the corpus and the topics the insights stage stored for it
    # When an aggregate question is asked with --json
    result = runner.invoke(
        app, ["ask", "Which topic has the highest escalation rate?", "--corpus", CORPUS, "--json"]
    )

    # Then the output is the answer model, with the figures computed
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["kind"] == "aggregate"
    assert payload["figures"][0] == {
        "group": "refund request",
        "count": 3,
        "total": 4,
        "rate": pytest.approx(0.75),
        "value": None,
    }
    assert [c["id"] for c in payload["citations"]] == ["r1#1", "r2#0", "r4#0"]


def test_ask_reads_a_transcript_file_de_identified(
    tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a JSONL transcript file, not a stored corpus
    monkeypatch.setenv("REHEARSAL_EMBEDDING_BACKEND", "lexical")

    # When asked about it with --json
    result = runner.invoke(
        app,
        ["ask", "What do customers say about refunds?", "--corpus", str(TRANSCRIPTS), "--json", "--k", "3"],
    )

    # Then it is answered from the file, with its personal data already replaced
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["citations"] and "maria" not in result.output.lower()


def test_ask_reads_a_folder_of_transcript_files(
    tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a folder with the transcripts split over two files
    monkeypatch.setenv("REHEARSAL_EMBEDDING_BACKEND", "lexical")
    folder = tmp_path / "transcripts"
    folder.mkdir()
    lines = TRANSCRIPTS.read_text().splitlines(keepends=True)
    (folder / "a.jsonl").write_text("".join(lines[:6]))
    (folder / "b.jsonl").write_text("".join(lines[6:]))

    # When asked how many conversations were escalated
    result = runner.invoke(
        app, ["ask", "How many conversations were escalated?", "--corpus", str(folder), "--json"]
    )

    # Then both files count: 4 of 12
    assert result.exit_code == 0, result.output
    figure = json.loads(result.output)["figures"][0]
    assert (figure["count"], figure["total"]) == (4, 12)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["ask", "", "--corpus", CORPUS], "question: empty"),
        (["ask", "why?", "--corpus", "nosuchcorpus"], "no corpus named 'nosuchcorpus'"),
        (["ask", "why?", "--corpus", CORPUS, "--run", "nosuchrun"], "no run named 'nosuchrun'"),
        (["ask", "why?", "--corpus", CORPUS, "--topics", "missing-dir"], "missing-dir"),
        (["ask", "why?", "--corpus", "EMPTY_FOLDER"], "no *.jsonl or *.jsonl.gz file in this folder"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    arguments: list[str], message: str, stored_corpus: Settings, tmp_path: Path
) -> None:
    # When the question, corpus, run, topics or transcripts folder is unusable
    (tmp_path / "empty").mkdir()
    arguments = [
        str(tmp_path / "empty") if argument == "EMPTY_FOLDER" else argument for argument in arguments
    ]
    result = runner.invoke(app, arguments)

    # Then the command fails with a message naming it, not a traceback
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_ask_with_a_configured_model_shows_what_it_rejected(
    stored_corpus: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an OpenAI-compatible endpoint whose answer cites one real turn and one invented
    reply = "Broken items drive refund escalations [r1#1]. Couriers are rude [zz1#0]."
    with StubOpenAIServer([StubReply.say(reply)]) as server:
        monkeypatch.setenv("REHEARSAL_LLM_BASE_URL", server.base_url)

        # When a question is asked
        result = runner.invoke(app, ["ask", "Why do customers escalate about refunds?", "--corpus", CORPUS])

    # Then the model's answer is shown with the invented citation removed, flagged and reported
    assert result.exit_code == 0, result.output
    assert "Broken items drive refund escalations [r1#1]." in result.output
    assert "unsupported (no valid citation): Couriers are rude." in result.output
    assert "rejected citation (not in the evidence): [zz1#0]" in result.output
