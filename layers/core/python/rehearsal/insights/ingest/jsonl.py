"""JSONL of the Conversation model: one conversation per line."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from rehearsal.insights.conversation import Conversation
from rehearsal.insights.ingest.quarantine import IngestResult, QuarantineRecord, describe_validation_error
from rehearsal.insights.ingest.source import open_text


def read_jsonl(path: Path) -> IngestResult:
    result = IngestResult(source=str(path), format="jsonl")
    seen: set[str] = set()
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                conversation = Conversation.model_validate(json.loads(line))
            except json.JSONDecodeError as error:
                reason = f"not valid JSON ({error.msg} at column {error.colno})"
                result.quarantined.append(QuarantineRecord(file=str(path), line=number, reason=reason))
                continue
            except ValidationError as error:
                reason = describe_validation_error(error)
                result.quarantined.append(QuarantineRecord(file=str(path), line=number, reason=reason))
                continue
            if conversation.id in seen:
                result.quarantined.append(
                    QuarantineRecord(
                        file=str(path),
                        line=number,
                        record_id=conversation.id,
                        reason=f"id: duplicate conversation id {conversation.id!r}; the first one was kept",
                    )
                )
                continue
            seen.add(conversation.id)
            result.conversations.append(conversation)
    return result
