"""Plain utterance lists for topic discovery: a CSV with a ``text`` column and, optionally, an ``id`` column
(else the 0-based row number is the id). Intent data sets (BANKING77, DSTC11) come in this shape."""

from __future__ import annotations

import csv
from pathlib import Path

from rehearsal.insights.deid import deidentify_texts
from rehearsal.insights.ingest.quarantine import QuarantineRecord
from rehearsal.insights.ingest.source import IngestError, open_text
from rehearsal.insights.topics.models import TopicItem


def read_utterances(
    path: Path, *, text_column: str = "text", id_column: str = "id"
) -> tuple[list[TopicItem], list[QuarantineRecord]]:
    items: list[TopicItem] = []
    quarantined: list[QuarantineRecord] = []
    seen: set[str] = set()
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if text_column not in columns:
            found = ", ".join(columns) or "none"
            raise IngestError(f"{path}:1: no {text_column!r} column (columns found: {found})")
        for number, row in enumerate(reader):
            item_id = (row.get(id_column) or "").strip() if id_column in columns else str(number)
            text = (row.get(text_column) or "").strip()
            problem = None
            if not item_id:
                problem = f"{id_column}: empty"
            elif item_id in seen:
                problem = f"{id_column}: duplicate id {item_id!r}"
            elif not text:
                problem = f"{text_column}: empty"
            if problem:
                quarantined.append(QuarantineRecord(file=str(path), line=reader.line_num, reason=problem))
                continue
            seen.add(item_id)
            # Each utterance is its own conversation as far as placeholders go.
            items.append(TopicItem(id=item_id, text=deidentify_texts([text])[0]))
    return items, quarantined
