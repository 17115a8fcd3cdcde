"""The STAR importer: any task, labelled agent steps, API calls with results, quarantine."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from rehearsal.insights.conversation import Outcome, Speaker
from rehearsal.insights.ingest import ingest_path

STAR = Path(__file__).resolve().parents[5] / "shared" / "data" / "star" / "dialogues.jsonl.gz"


def dialogue(dialogue_id: int = 7, task: str = "plane_book", completion: str = "Complete") -> dict[str, Any]:
    """A dialogue of a task that is not shipped with the data, in STAR's raw format."""
    return {
        "DialogueID": dialogue_id,
        "CompletionLevel": completion,
        "Scenario": {
            "Domains": ["plane"],
            "Happy": True,
            "MultiTask": False,
            "UserTask": "You (Priya) want a flight to Oslo.",
            "WizardCapabilities": [{"Domain": "plane", "Task": task}],
            "WizardTask": "Book the flight.",
        },
        "UserQuestionnaire": [{"Answer": True, "Question": "Calm?"}, {"Answer": False, "Question": "Fast?"}],
        "Events": [
            {"Agent": "UserGuide", "Action": "instruct", "Text": "Be polite", "UnixTime": 100},
            {
                "Agent": "User",
                "Action": "utter",
                "Text": "Hi, I'm Priya, I need a flight to Oslo",
                "UnixTime": 101,
            },
            {"Agent": "Wizard", "Action": "request_suggestions", "Text": "draft", "UnixTime": 102},
            {
                "Agent": "Wizard",
                "Action": "pick_suggestion",
                "ActionLabel": "ask_date",
                "Text": "When?",
                "UnixTime": 103,
            },
            {"Agent": "User", "Action": "utter", "Text": "Friday", "UnixTime": 110},
            {
                "Agent": "Wizard",
                "Action": "query",
                "APIName": task,
                "Constraints": [{"City": '"Oslo"'}, {"Day": 'api.is_one_of(["Friday"])'}],
                "UnixTime": 111,
            },
            {"Agent": "KnowledgeBase", "Action": "return_item", "Item": {"Flight": "OS12"}, "TotalItems": 1},
            {"Agent": "Wizard", "Action": "utter", "Text": "Booked OS12, Priya", "UnixTime": 130},
            {"Agent": "User", "Action": "complete", "UnixTime": 131},
        ],
    }


def write_jsonl(path: Path, records: list[str]) -> Path:
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


def test_a_dialogue_of_any_task_maps_to_turns_steps_and_tool_calls(tmp_path: Path) -> None:
    # Given a dialogue of a task the shipped data does not have
    path = write_jsonl(tmp_path / "star.jsonl", [json.dumps(dialogue())])
    # When it is ingested
    (conversation,) = ingest_path(path, "star").conversations
    # Then worker mechanics are dropped and the rest keeps its order, labels, call and result
    speakers = [t.speaker for t in conversation.turns]
    assert speakers == [
        Speaker.CUSTOMER,
        Speaker.HUMAN_AGENT,
        Speaker.CUSTOMER,
        Speaker.HUMAN_AGENT,
        Speaker.HUMAN_AGENT,
    ]
    assert conversation.turns[1].action == "ask_date"
    assert conversation.turns[4].action is None
    call = conversation.turns[3].tool_calls[0]
    assert call.name == "plane_book"
    assert call.arguments == {"City": "Oslo", "Day": {"op": "is_one_of", "value": ["Friday"]}}
    assert call.result == {"item": {"Flight": "OS12"}, "total_items": 1}
    assert conversation.metadata["task"] == "plane_book"
    assert conversation.outcome is Outcome.RESOLVED
    assert conversation.satisfaction == 0.5
    assert conversation.handle_time_seconds == 29.0


def test_the_persona_name_is_de_identified_everywhere(tmp_path: Path) -> None:
    # Given a dialogue where the customer's name is in turns and in the scenario
    path = write_jsonl(tmp_path / "star.jsonl", [json.dumps(dialogue())])
    # When it is ingested
    (conversation,) = ingest_path(path, "star").conversations
    # Then the name appears nowhere
    assert "Priya" not in conversation.model_dump_json()


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("{oops", "not valid JSON"),
        (json.dumps({"Events": []}), "DialogueID: missing"),
        (json.dumps({"DialogueID": 3}), "Events: missing"),
        (
            json.dumps({**dialogue(3), "Events": [{"Agent": "User", "Action": "complete"}]}),
            "no user or wizard turn",
        ),
        (json.dumps({**dialogue(3), "Events": ["text"]}), "Events[0]: expected an object"),
        (json.dumps(dialogue(7)), "duplicate"),
    ],
)
def test_bad_dialogues_are_quarantined_and_the_rest_ingested(
    tmp_path: Path, record: str, reason: str
) -> None:
    # Given a good dialogue followed by a bad one
    path = write_jsonl(tmp_path / "star.jsonl", [json.dumps(dialogue(7)), record])
    # When the file is ingested
    result = ingest_path(path, "star")
    # Then the good one is kept and the bad one is named by line with its reason
    assert [c.id for c in result.conversations] == ["star-7"]
    assert [q.line for q in result.quarantined] == [2]
    assert reason in result.quarantined[0].reason


def test_abandoned_dialogues_are_marked_abandoned(tmp_path: Path) -> None:
    # Given a dialogue that ended with a disconnect
    path = write_jsonl(
        tmp_path / "star.jsonl", [json.dumps(dialogue(completion="EarlyDisconnectDuringDialogue"))]
    )
    # When it is ingested / Then its outcome says so
    assert ingest_path(path, "star").conversations[0].outcome is Outcome.ABANDONED


def test_a_folder_of_dialogue_files_is_read(tmp_path: Path) -> None:
    # Given STAR's original layout: one JSON file per dialogue
    for number in (1, 2):
        (tmp_path / f"{number}.json").write_text(json.dumps(dialogue(number)), encoding="utf-8")
    # When the folder is ingested
    result = ingest_path(tmp_path, "star")
    # Then every dialogue is there
    assert sorted(c.id for c in result.conversations) == ["star-1", "star-2"]


@pytest.mark.skipif(not STAR.is_file(), reason="the shared STAR data is not present")
def test_real_star_dialogues_ingest(tmp_path: Path) -> None:
    # Given the first 40 dialogues of the real STAR data
    with gzip.open(STAR, "rt", encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(40)]
    path = write_jsonl(tmp_path / "star.jsonl", [line.strip() for line in lines])
    # When they are ingested
    result = ingest_path(path, "star")
    # Then each is either a conversation with labelled agent steps or quarantined with a reason
    assert len(result.conversations) + len(result.quarantined) == 40
    assert len(result.conversations) >= 30
    labelled = [c for c in result.conversations if any(t.action for t in c.turns)]
    assert len(labelled) >= 0.8 * len(result.conversations)
