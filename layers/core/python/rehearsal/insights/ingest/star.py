"""The STAR schema-guided dialogue format (any task): one raw STAR dialogue JSON object per record.

Accepts a JSONL file (optionally gzip-compressed), a single dialogue ``.json``, or a folder of them. Mapping:

* ``User``/``utter`` → customer turn; ``Wizard``/``pick_suggestion`` → agent turn with its ``ActionLabel``;
  ``Wizard``/``utter`` → agent turn without a label (free text outside the task's script).
* ``Wizard``/``query`` → an agent tool call named by ``APIName`` with the constraints as arguments; the
  following ``KnowledgeBase``/``return_item`` becomes its result.
* ``UserGuide`` instructions, suggestion requests and item selections are crowd-worker mechanics: skipped.
* ``CompletionLevel`` ``Complete`` → resolved, any disconnect → abandoned; the user questionnaire's
  yes/no answers → satisfaction; task, domains and the scenario go to metadata (de-identified later).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rehearsal.insights.conversation import (
    Conversation,
    HistoricalTurn,
    Outcome,
    Participant,
    Speaker,
    ToolCallRecord,
)
from rehearsal.insights.ingest.quarantine import IngestResult, QuarantineRecord, describe_validation_error
from rehearsal.insights.ingest.source import IngestError, open_text

_CONSTRAINT = re.compile(r"^api\.(\w+)\((.*)\)$")


class StarRecordError(ValueError):
    """One dialogue is unusable; the message names the JSON path."""


def _records(path: Path) -> Iterator[tuple[str, int | None, str]]:
    """(file, line, raw JSON) for every dialogue under ``path``."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl", ".gz") and p.is_file())
        if not files:
            raise IngestError(f"{path}: no .json or .jsonl files in this folder")
        for file in files:
            yield from _records(file)
        return
    if path.suffix == ".json":
        with open_text(path) as handle:
            yield str(path), None, handle.read()
        return
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield str(path), number, line


def _constraint_value(raw: Any) -> Any:
    """STAR writes constraint values as JSON strings (``"\\"Alexis\\""``) or ``api.fn(args)`` calls."""
    if not isinstance(raw, str):
        return raw
    match = _CONSTRAINT.match(raw.strip())
    if match:
        return {"op": match.group(1), "value": _constraint_value(match.group(2))}
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _arguments(constraints: Any) -> dict[str, Any]:
    if not isinstance(constraints, list):
        raise StarRecordError("Constraints: expected a list of {name: value} objects")
    arguments: dict[str, Any] = {}
    for index, constraint in enumerate(constraints):
        if not isinstance(constraint, dict):
            raise StarRecordError(f"Constraints[{index}]: expected an object")
        for name, value in constraint.items():
            arguments[name] = _constraint_value(value)
    return arguments


def _time(event: dict[str, Any], where: str) -> datetime | None:
    value = event.get("UnixTime")
    if value is None:
        return None
    if not isinstance(value, int | float):
        raise StarRecordError(f"{where}.UnixTime: expected a number")
    return datetime.fromtimestamp(value, tz=UTC)


def _turns(events: list[Any]) -> list[HistoricalTurn]:
    turns: list[HistoricalTurn] = []
    last_query: ToolCallRecord | None = None
    for index, event in enumerate(events):
        where = f"Events[{index}]"
        if not isinstance(event, dict):
            raise StarRecordError(f"{where}: expected an object")
        agent, action = event.get("Agent"), event.get("Action")
        if agent == "User" and action == "utter":
            turns.append(
                HistoricalTurn(
                    speaker=Speaker.CUSTOMER, text=str(event.get("Text", "")), time=_time(event, where)
                )
            )
        elif agent == "Wizard" and action in ("pick_suggestion", "utter"):
            label = event.get("ActionLabel") if action == "pick_suggestion" else None
            turns.append(
                HistoricalTurn(
                    speaker=Speaker.HUMAN_AGENT,
                    text=str(event.get("Text", "")),
                    time=_time(event, where),
                    action=label,
                )
            )
        elif agent == "Wizard" and action == "query":
            if not isinstance(event.get("APIName"), str):
                raise StarRecordError(f"{where}.APIName: missing")
            last_query = ToolCallRecord(
                name=event["APIName"], arguments=_arguments(event.get("Constraints", []))
            )
            turns.append(
                HistoricalTurn(speaker=Speaker.HUMAN_AGENT, time=_time(event, where), tool_calls=[last_query])
            )
        elif agent == "KnowledgeBase" and action == "return_item" and last_query is not None:
            item = event.get("Item")
            result = {"item": item, "total_items": event.get("TotalItems")}
            turns[-1].tool_calls[-1] = last_query.model_copy(update={"result": result})
            last_query = None
    return turns


def _satisfaction(dialogue: dict[str, Any]) -> float | None:
    questionnaire = [a for a in dialogue.get("UserQuestionnaire") or [] if isinstance(a, dict)]
    answers = [a["Answer"] for a in questionnaire if isinstance(a.get("Answer"), bool)]
    return sum(answers) / len(answers) if answers else None


def star_conversation(dialogue: Any) -> Conversation:
    if not isinstance(dialogue, dict):
        raise StarRecordError("(record): expected a STAR dialogue object")
    if "DialogueID" not in dialogue:
        raise StarRecordError("DialogueID: missing")
    events = dialogue.get("Events")
    if not isinstance(events, list):
        raise StarRecordError("Events: missing or not a list")
    raw_scenario = dialogue.get("Scenario")
    scenario: dict[str, Any] = raw_scenario if isinstance(raw_scenario, dict) else {}
    capabilities = [c for c in scenario.get("WizardCapabilities") or [] if isinstance(c, dict)]
    tasks = [str(c["Task"]) for c in capabilities if "Task" in c]
    completion = str(dialogue.get("CompletionLevel", ""))
    turns = _turns(events)
    if not turns:
        raise StarRecordError("Events: no user or wizard turn (the dialogue ended before anyone spoke)")
    times = [turn.time for turn in turns if turn.time is not None]
    metadata: dict[str, Any] = {
        "source": "star",
        "dialogue_id": dialogue["DialogueID"],
        "task": tasks[0] if len(tasks) == 1 else "+".join(tasks) or "unknown",
        "tasks": tasks,
        "domains": scenario.get("Domains", []),
        "happy": scenario.get("Happy"),
        "multi_task": scenario.get("MultiTask"),
        "completion_level": completion,
        "user_task": scenario.get("UserTask"),
        "wizard_task": scenario.get("WizardTask"),
    }
    return Conversation(
        id=f"star-{dialogue['DialogueID']}",
        channel="chat",
        started_at=min(times) if times else None,
        participants=[Participant(role=Speaker.CUSTOMER), Participant(role=Speaker.HUMAN_AGENT)],
        turns=turns,
        outcome=Outcome.RESOLVED
        if completion == "Complete"
        else Outcome.ABANDONED
        if completion
        else Outcome.UNKNOWN,
        satisfaction=_satisfaction(dialogue),
        metadata={key: value for key, value in metadata.items() if value is not None},
    )


def read_star(path: Path) -> IngestResult:
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder")
    result = IngestResult(source=str(path), format="star")
    seen: set[str] = set()
    for file, line, raw in _records(path):
        try:
            conversation = star_conversation(json.loads(raw))
        except json.JSONDecodeError as error:
            reason = f"not valid JSON ({error.msg} at column {error.colno})"
            result.quarantined.append(QuarantineRecord(file=file, line=line, reason=reason))
            continue
        except StarRecordError as error:
            result.quarantined.append(QuarantineRecord(file=file, line=line, reason=str(error)))
            continue
        except ValidationError as error:
            result.quarantined.append(
                QuarantineRecord(file=file, line=line, reason=describe_validation_error(error))
            )
            continue
        if conversation.id in seen:
            reason = f"DialogueID: duplicate {conversation.id!r}; the first one was kept"
            result.quarantined.append(
                QuarantineRecord(file=file, line=line, record_id=conversation.id, reason=reason)
            )
            continue
        seen.add(conversation.id)
        result.conversations.append(conversation)
    return result
