"""Index conversation turns for retrieval: text for BM25, a vector from the (cached) embedder, and the
turn's attributes as filterable fields.

One index per source (``analyst-c-<corpus>``, ``analyst-r-<run>``). A stamp blob records a fingerprint of
what was indexed (every turn and the embedder's name): indexing the same turns again does nothing, and
anything else rebuilds the index from scratch, so no stale turn survives and vectors never mix two spaces.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.analyst.models import TurnRecord
from rehearsal.insights.embeddings import Embedder
from rehearsal.storage.ports import BlobStore, NotFound, SearchDocument, SearchHit, SearchIndex

STAMP_PREFIX = "analyst/indexes"
BATCH = 500
_UNSAFE = re.compile(r"[^a-z0-9_-]+")
# Every TurnRecord field but the text is a filterable field of its document.
_FIELDS = [name for name in TurnRecord.model_fields if name != "text"]


class IndexReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: str
    turns: int = Field(ge=0)
    rebuilt: bool = Field(description="False when the index already held exactly these turns.")
    embedder: str


def index_name(kind: str, name: str) -> str:
    """A valid, collision-free index name: a readable slug plus a short hash of the exact name."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"analyst-{kind}-{_UNSAFE.sub('-', name.lower())[:60]}-{digest}"


def _fingerprint(turns: Sequence[TurnRecord], embedder: str) -> str:
    digest = hashlib.sha256(embedder.encode("utf-8"))
    for turn in turns:
        digest.update(turn.model_dump_json().encode("utf-8") + b"\n")
    return digest.hexdigest()


def _fields(turn: TurnRecord) -> dict[str, object]:
    values = turn.model_dump(mode="json", include=set(_FIELDS))
    return {name: value for name, value in values.items() if value is not None}


def index_turns(
    search: SearchIndex, blobs: BlobStore, index: str, turns: Sequence[TurnRecord], embedder: Embedder
) -> IndexReport:
    """Make ``index`` hold exactly ``turns``; idempotent."""
    stamp_key = f"{STAMP_PREFIX}/{index}.json"
    fingerprint = _fingerprint(turns, embedder.name)
    try:
        stamp = json.loads(blobs.get(stamp_key))
    except NotFound:
        stamp = {}
    if stamp.get("fingerprint") == fingerprint and _count(search, index) == len(turns):
        return IndexReport(index=index, turns=len(turns), rebuilt=False, embedder=embedder.name)
    search.delete_index(index)
    vectors = embedder.embed([turn.text for turn in turns])
    search.ensure_index(index, dimensions=int(vectors.shape[1]) if len(turns) else None)
    for start in range(0, len(turns), BATCH):
        batch = zip(turns[start : start + BATCH], vectors[start : start + BATCH], strict=True)
        search.upsert(
            index,
            [
                # A turn the embedder sees nothing in ("ok", a lone placeholder) is found by its words only.
                SearchDocument(
                    id=turn.id,
                    text=turn.text,
                    vector=vector.tolist() if vector.any() else None,
                    fields=_fields(turn),
                )
                for turn, vector in batch
            ],
        )
    blobs.put(
        stamp_key,
        json.dumps({"fingerprint": fingerprint, "embedder": embedder.name, "turns": len(turns)}).encode(),
        content_type="application/json",
    )
    return IndexReport(index=index, turns=len(turns), rebuilt=True, embedder=embedder.name)


def _count(search: SearchIndex, index: str) -> int:
    try:
        return search.count(index)
    except NotFound:
        return -1


def turn_from_hit(hit: SearchHit) -> TurnRecord:
    return TurnRecord.model_validate({**hit.fields, "text": hit.text})
