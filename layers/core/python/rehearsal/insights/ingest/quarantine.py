"""Where bad records go: the place (file, line, JSON path or column) and the reason — never the raw record,
which may hold personal data that has not been de-identified."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rehearsal.insights.conversation import Conversation


class QuarantineRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    line: int | None = Field(None, ge=1, description="1-based line (JSONL) or row line (CSV, header is 1).")
    record_id: str | None = None
    reason: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return f"{place}: {self.reason}"


class IngestResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    format: str
    conversations: list[Conversation] = Field(default_factory=list)
    quarantined: list[QuarantineRecord] = Field(default_factory=list)


def describe_validation_error(error: ValidationError, *, prefix: str = "") -> str:
    """``turns.0.speaker: Input should be ...`` for each problem, without echoing the offending values."""
    parts = []
    for problem in error.errors(include_input=False, include_url=False):
        path = ".".join(str(part) for part in (prefix, *problem["loc"]) if part != "")
        parts.append(f"{path or '(record)'}: {problem['msg']}")
    return "; ".join(parts)


def duplicate_ids(conversations: Iterable[Conversation]) -> set[str]:
    seen: set[str] = set()
    duplicates: set[str] = set()
    for conversation in conversations:
        (duplicates if conversation.id in seen else seen).add(conversation.id)
    return duplicates
