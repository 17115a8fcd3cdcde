"""Importers: JSONL of the Conversation model, CSV with one row per turn, STAR (any task); plain utterance
CSVs for topics. Every conversation is de-identified here, before anything is stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from rehearsal.insights.deid import deidentify_conversation
from rehearsal.insights.ingest.csv_turns import read_csv_turns
from rehearsal.insights.ingest.jsonl import read_jsonl
from rehearsal.insights.ingest.quarantine import IngestResult, QuarantineRecord
from rehearsal.insights.ingest.source import IngestError
from rehearsal.insights.ingest.star import read_star
from rehearsal.insights.ingest.utterances import read_utterances

Format = Literal["jsonl", "csv", "star"]
READERS: dict[str, Callable[[Path], IngestResult]] = {
    "jsonl": read_jsonl,
    "csv": read_csv_turns,
    "star": read_star,
}


def ingest_path(path: Path, fmt: Format) -> IngestResult:
    """Read ``path`` in ``fmt``; bad records are quarantined with their place and reason, the rest is
    returned de-identified."""
    try:
        reader = READERS[fmt]
    except KeyError:
        raise IngestError(f"unknown format {fmt!r} (jsonl, csv, star)") from None
    result = reader(path)
    result.conversations = [deidentify_conversation(c) for c in result.conversations]
    return result


__all__ = ["IngestError", "IngestResult", "QuarantineRecord", "ingest_path", "read_utterances"]
