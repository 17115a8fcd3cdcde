"""The ingested, de-identified corpus in the BlobStore: JSONL shards, a quarantine file and a manifest.

Layout under ``corpora/<name>/``: ``shards/<nnnnn>.jsonl`` (one Conversation per line), ``quarantine.jsonl``
(place and reason of every rejected record, never its content) and ``manifest.json``, written last so a
reader never sees a half-written corpus.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.insights.conversation import Conversation
from rehearsal.insights.deid import PLACEHOLDER
from rehearsal.insights.ingest.quarantine import IngestResult, QuarantineRecord
from rehearsal.storage.ports import BlobStore, NotFound

SHARD_SIZE = 1000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class CorpusError(Exception):
    """A corpus name is invalid or the corpus does not exist: a message for people."""


class ShardRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    conversations: int = Field(ge=0)
    sha256: str


class CorpusManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    created_at: AwareDatetime
    source: str
    format: str
    conversations: int = Field(ge=0)
    quarantined: int = Field(ge=0)
    placeholders: dict[str, int] = Field(description="Placeholders of each type found in the stored text.")
    shards: list[ShardRef]


def corpus_prefix(name: str) -> str:
    if not _NAME.match(name):
        raise CorpusError(f"corpus name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return f"corpora/{name}"


def _placeholder_counts(conversations: Sequence[Conversation]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for conversation in conversations:
        for turn in conversation.turns:
            for token in PLACEHOLDER.findall(turn.text):
                kind = token[1:].rsplit("_", 1)[0]
                counts[kind] = counts.get(kind, 0) + 1
    return counts


def save_corpus(
    blobs: BlobStore, name: str, result: IngestResult, *, now: datetime | None = None
) -> CorpusManifest:
    """Store an ingest result (already de-identified by ``ingest_path``) as corpus ``name``, replacing it."""
    prefix = corpus_prefix(name)
    for key in list(blobs.list(prefix + "/")):
        blobs.delete(key)
    shards: list[ShardRef] = []
    for number, start in enumerate(range(0, len(result.conversations), SHARD_SIZE)):
        batch = result.conversations[start : start + SHARD_SIZE]
        data = "".join(c.model_dump_json() + "\n" for c in batch).encode("utf-8")
        key = f"{prefix}/shards/{number:05d}.jsonl"
        blobs.put(key, data, content_type="application/x-ndjson")
        shards.append(ShardRef(key=key, conversations=len(batch), sha256=hashlib.sha256(data).hexdigest()))
    quarantine = "".join(q.model_dump_json() + "\n" for q in result.quarantined).encode("utf-8")
    blobs.put(f"{prefix}/quarantine.jsonl", quarantine, content_type="application/x-ndjson")
    manifest = CorpusManifest(
        name=name,
        created_at=now or datetime.now(UTC),
        source=result.source,
        format=result.format,
        conversations=len(result.conversations),
        quarantined=len(result.quarantined),
        placeholders=_placeholder_counts(result.conversations),
        shards=shards,
    )
    blobs.put(
        f"{prefix}/manifest.json",
        manifest.model_dump_json(indent=2).encode(),
        content_type="application/json",
    )
    return manifest


def load_manifest(blobs: BlobStore, name: str) -> CorpusManifest:
    try:
        raw = blobs.get(f"{corpus_prefix(name)}/manifest.json")
    except NotFound:
        raise CorpusError(f"no corpus named {name!r}: run `rehearsal insights ingest` first") from None
    return CorpusManifest.model_validate_json(raw)


def iter_corpus(blobs: BlobStore, name: str) -> Iterator[Conversation]:
    for shard in load_manifest(blobs, name).shards:
        for line in blobs.get(shard.key).decode("utf-8").splitlines():
            if line.strip():
                yield Conversation.model_validate_json(line)


def load_quarantine(blobs: BlobStore, name: str) -> list[QuarantineRecord]:
    raw = blobs.get(f"{corpus_prefix(name)}/quarantine.jsonl").decode("utf-8")
    return [QuarantineRecord.model_validate(json.loads(line)) for line in raw.splitlines() if line.strip()]
