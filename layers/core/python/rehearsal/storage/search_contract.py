"""Rules every SearchIndex adapter applies alike: input checks, score normalisation and the hybrid mix.

Hybrid search: each side (BM25 and k-NN) returns its best ``hybrid_pool(k)`` hits; each list is min-max
normalised on its own (a list whose scores are all equal normalises to 1.0); a document missing from
one list scores 0 there; the mix is ``text_weight * text + (1 - text_weight) * vector``. Ties break by id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from rehearsal.storage.ports import SearchDocument, SearchHit

HYBRID_POOL_MIN = 50
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,199}$")
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
Scalar = str | int | float | bool


def hybrid_pool(k: int) -> int:
    """How many hits each side of a hybrid search contributes before mixing."""
    return max(4 * k, HYBRID_POOL_MIN)


def check_index_name(index: str) -> str:
    if not _INDEX_NAME.match(index):
        raise ValueError(
            f"index name {index!r} must be lower-case letters, digits, '-' or '_' (max 200), "
            "starting with a letter or digit"
        )
    return index


def check_dimensions(dimensions: int | None) -> None:
    if dimensions is not None and not 1 <= dimensions <= 16_000:
        raise ValueError(f"dimensions must be between 1 and 16000, got {dimensions}")


def check_fields(fields: Mapping[str, Any], where: str) -> None:
    for name in fields:
        if not _FIELD_NAME.match(name):
            raise ValueError(f"{where}: field name {name!r} must be letters, digits, '-' or '_'")


def check_vector(vector: Sequence[float], dimensions: int | None, where: str) -> None:
    if dimensions is not None and len(vector) != dimensions:
        raise ValueError(f"{where}: vector has {len(vector)} dimensions, the index has {dimensions}")
    if not vector:
        raise ValueError(f"{where}: vector is empty")
    if not all(math.isfinite(value) for value in vector):
        raise ValueError(f"{where}: vector has a NaN or infinite component")
    if not any(vector):
        raise ValueError(f"{where}: a zero vector has no cosine similarity")


def document_vectors(documents: Sequence[SearchDocument], dimensions: int | None) -> np.ndarray | None:
    """Check a batch and return the vectors it carries as float32 rows, in document order.

    The first vector fixes the dimensions of an index created without them.
    """
    with_vector: list[SearchDocument] = []
    for document in documents:
        check_fields(document.fields, f"document {document.id!r}")
        if document.vector is not None:
            if dimensions is None:
                dimensions = len(document.vector)
            if len(document.vector) != dimensions:
                raise ValueError(
                    f"document {document.id!r}: vector has {len(document.vector)} dimensions, "
                    f"the index has {dimensions}"
                )
            with_vector.append(document)
    if not with_vector:
        return None
    vectors = np.asarray([document.vector for document in with_vector], dtype=np.float32)
    broken = ~np.isfinite(vectors).all(axis=1) | ~vectors.any(axis=1)
    if broken.any():
        where = with_vector[int(np.flatnonzero(broken)[0])].id
        raise ValueError(f"document {where!r}: vector must be finite and not all zeros")
    return vectors


def check_query(
    text: str | None,
    vector: Sequence[float] | None,
    k: int,
    filters: Mapping[str, Any] | None,
    text_weight: float,
) -> None:
    if text is None and vector is None:
        raise ValueError("search needs text, a vector, or both")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not 0.0 <= text_weight <= 1.0:
        raise ValueError(f"text_weight must be between 0 and 1, got {text_weight}")
    if vector is not None:
        check_vector(vector, None, "query")
    for name, wanted in (filters or {}).items():
        check_fields({name: wanted}, "filter")
        values = wanted if isinstance(wanted, list | tuple) else [wanted]
        if not values or not all(isinstance(value, Scalar) for value in values):
            raise ValueError(f"filter {name!r}: use a value or a non-empty list of values, got {wanted!r}")


def filter_values(wanted: Any) -> list[Scalar]:
    return list(wanted) if isinstance(wanted, list | tuple) else [wanted]


def filter_keys(value: Any) -> list[tuple[bool, Any]]:
    """The keys under which a field value matches filters: one per element of a list-valued field.

    bool is an int in Python; OpenSearch keeps them apart, and so does the flag in each key.
    """
    values = value if isinstance(value, list) else [value]
    return [(isinstance(item, bool), item) for item in values if isinstance(item, Scalar)]


def matches(fields: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    """Equality on every filter; a list of wanted values means any of them; a list-valued field matches
    when any of its elements does (OpenSearch's ``term``/``terms`` semantics)."""
    for name, wanted in filters.items():
        have = set(filter_keys(fields.get(name)))
        if not any(key in have for key in filter_keys(filter_values(wanted))):
            return False
    return True


def ranked(hits: Iterable[SearchHit], k: int) -> list[SearchHit]:
    return sorted(hits, key=lambda hit: (-hit.score, hit.id))[:k]


def min_max(hits: Sequence[SearchHit]) -> dict[str, float]:
    if not hits:
        return {}
    low = min(hit.score for hit in hits)
    high = max(hit.score for hit in hits)
    span = high - low
    return {hit.id: (hit.score - low) / span if span > 0 else 1.0 for hit in hits}


def fuse(
    text_hits: Sequence[SearchHit], vector_hits: Sequence[SearchHit], *, text_weight: float, k: int
) -> list[SearchHit]:
    text_scores, vector_scores = min_max(text_hits), min_max(vector_hits)
    hits = {hit.id: hit for hit in [*vector_hits, *text_hits]}
    mixed = (
        hit.model_copy(
            update={
                "score": text_weight * text_scores.get(hit.id, 0.0)
                + (1.0 - text_weight) * vector_scores.get(hit.id, 0.0)
            }
        )
        for hit in hits.values()
    )
    return ranked(mixed, k)
