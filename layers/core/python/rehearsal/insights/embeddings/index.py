"""Vectors go to the ``SearchIndex`` port, where retrieval and incremental assignment can find them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rehearsal.insights.embeddings.port import Vectors
from rehearsal.storage.ports import SearchDocument, SearchIndex


def index_vectors(
    index: SearchIndex,
    name: str,
    ids: Sequence[str],
    texts: Sequence[str],
    vectors: Vectors,
    *,
    fields: Sequence[Mapping[str, Any]] | None = None,
    batch_size: int = 500,
) -> int:
    """Upsert one document per id (text, vector, filterable fields); returns how many were written."""
    if not (len(ids) == len(texts) == len(vectors)):
        raise ValueError(f"ids, texts and vectors differ in length: {len(ids)}, {len(texts)}, {len(vectors)}")
    index.ensure_index(name, dimensions=int(vectors.shape[1]) if len(vectors) else None)
    for start in range(0, len(ids), batch_size):
        stop = start + batch_size
        documents = [
            SearchDocument(
                id=doc_id,
                text=text,
                vector=vector.tolist(),
                fields=dict(fields[start + offset]) if fields else {},
            )
            for offset, (doc_id, text, vector) in enumerate(
                zip(ids[start:stop], texts[start:stop], vectors[start:stop], strict=True)
            )
        ]
        index.upsert(name, documents)
    return len(ids)
