"""CSV with one row per turn. Required columns: ``conversation_id``, ``speaker``, ``text``.

Optional: ``time`` (ISO 8601 with timezone, or Unix seconds), ``action``, ``channel``, ``outcome``,
``satisfaction`` (0–1), ``tool_name`` with ``tool_arguments`` / ``tool_result`` (JSON). Any other column is
free metadata of the conversation (first non-empty value wins). Rows stay in file order within a
conversation. A bad row is quarantined alone; the rest of its conversation is kept.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker, ToolCallRecord
from rehearsal.insights.ingest.quarantine import IngestResult, QuarantineRecord, describe_validation_error
from rehearsal.insights.ingest.source import IngestError, open_text, parse_time

REQUIRED = ("conversation_id", "speaker", "text")
KNOWN = frozenset(
    {
        *REQUIRED,
        "time",
        "action",
        "channel",
        "outcome",
        "satisfaction",
        "tool_name",
        "tool_arguments",
        "tool_result",
    }
)
SPEAKERS = {
    **{alias: Speaker.CUSTOMER for alias in ("customer", "user", "visitor", "client", "caller")},
    **{alias: Speaker.HUMAN_AGENT for alias in ("human_agent", "agent", "human", "rep", "wizard", "advisor")},
    **{alias: Speaker.AI_AGENT for alias in ("ai_agent", "ai", "bot", "assistant", "virtual_agent")},
    "system": Speaker.SYSTEM,
}


class RowError(ValueError):
    """One row is unusable; the message names the column."""


def _speaker(value: str) -> Speaker:
    try:
        return SPEAKERS[value.strip().lower().replace(" ", "_")]
    except KeyError:
        raise RowError(
            f"speaker: unknown speaker {value!r} (customer, human_agent, ai_agent, system)"
        ) from None


def _json(row: Mapping[str, str], column: str) -> Any:
    raw = (row.get(column) or "").strip()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise RowError(f"{column}: not valid JSON ({error.msg})") from None


def _turn(row: Mapping[str, str]) -> HistoricalTurn:
    tool_calls = []
    if (row.get("tool_name") or "").strip():
        arguments = _json(row, "tool_arguments") or {}
        if not isinstance(arguments, dict):
            raise RowError("tool_arguments: must be a JSON object")
        tool_calls.append(
            ToolCallRecord(
                name=row["tool_name"].strip(), arguments=arguments, result=_json(row, "tool_result")
            )
        )
    time = None
    if (row.get("time") or "").strip():
        try:
            time = parse_time(row["time"])
        except ValueError as error:
            raise RowError(f"time: {error}") from None
    return HistoricalTurn(
        speaker=_speaker(row.get("speaker") or ""),
        text=row.get("text") or "",
        time=time,
        action=(row.get("action") or "").strip() or None,
        tool_calls=tool_calls,
    )


def _conversation_fields(rows: list[Mapping[str, str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {"metadata": {}}
    for row in rows:
        for column, value in row.items():
            if column is None or not (value or "").strip():
                continue
            if column in ("channel", "outcome", "satisfaction"):
                fields.setdefault(column, value.strip())
            elif column not in KNOWN:
                fields["metadata"].setdefault(column, value.strip())
    if "outcome" in fields:
        fields["outcome"] = fields["outcome"].lower()
    return fields


def read_csv_turns(path: Path) -> IngestResult:
    result = IngestResult(source=str(path), format="csv")
    grouped: dict[str, list[tuple[int, dict[str, str], HistoricalTurn]]] = {}
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
        if missing:
            raise IngestError(
                f"{path}:1: missing column(s) {', '.join(missing)} (required: {', '.join(REQUIRED)})"
            )
        for row in reader:
            line = reader.line_num
            conversation_id = (row.get("conversation_id") or "").strip()
            try:
                if not conversation_id:
                    raise RowError("conversation_id: empty")
                if None in row:  # csv puts surplus fields under the key None
                    raise RowError(f"row has more fields than the header's {len(reader.fieldnames or [])}")
                turn = _turn(row)
            except (RowError, ValidationError) as error:
                reason = (
                    describe_validation_error(error) if isinstance(error, ValidationError) else str(error)
                )
                result.quarantined.append(
                    QuarantineRecord(
                        file=str(path), line=line, record_id=conversation_id or None, reason=reason
                    )
                )
                continue
            grouped.setdefault(conversation_id, []).append((line, row, turn))
    for conversation_id, entries in grouped.items():
        fields = _conversation_fields([row for _, row, _ in entries])
        times = [turn.time for _, _, turn in entries if turn.time is not None]
        fields["started_at"] = min(times) if times else None
        try:
            conversation = Conversation(id=conversation_id, turns=[turn for _, _, turn in entries], **fields)
        except ValidationError as error:
            result.quarantined.append(
                QuarantineRecord(
                    file=str(path),
                    line=entries[0][0],
                    record_id=conversation_id,
                    reason=describe_validation_error(error, prefix=f"conversation {conversation_id}"),
                )
            )
            continue
        result.conversations.append(conversation)
    return result
