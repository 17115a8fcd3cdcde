"""Storage ports. Every adapter (local, AWS) honours the same contract, checked by one contract suite.

* ``BlobStore`` — immutable-ish blobs by key (bundles, transcripts, manifests, reports).
* ``RunStore`` — small JSON documents in partitions, with revisions for conditional writes
  (runs and their items, bundle refs, questions). Queries by partition and by a secondary attribute.
* ``SearchIndex`` — documents with text and an optional vector: BM25, k-NN and hybrid search.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class StorageError(Exception):
    """Base class for storage failures that callers may handle."""


class NotFound(StorageError, KeyError):  # noqa: N818 - the port's public name, used everywhere
    """The key, document or index does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "not found"


class Conflict(StorageError):  # noqa: N818 - the port's public name, used everywhere
    """A conditional write lost: the document exists already, or its revision moved on."""


@runtime_checkable
class BlobStore(Protocol):
    """Blobs by key. Keys are ``/``-separated paths without a leading slash."""

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None: ...

    def put_if_absent(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> bool:
        """Write only if ``key`` is new; returns whether it wrote."""
        ...

    def get(self, key: str) -> bytes:
        """Raises ``NotFound``."""
        ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under ``prefix``, in lexicographic order."""
        ...

    def delete(self, key: str) -> None: ...

    def url(self, key: str) -> str:
        """Where a person can find the blob (a file path locally, ``s3://`` on AWS)."""
        ...


class StoredDocument(BaseModel):
    """A document as the run store holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partition: str
    key: str
    revision: int = Field(ge=1, description="Starts at 1; each successful write adds one.")
    doc: dict[str, Any]


@runtime_checkable
class RunStore(Protocol):
    """JSON documents addressed by (partition, key), e.g. (``run#R1``, ``item#0007``).

    ``index`` attributes (string → string) are queryable across partitions, e.g. ``{"bundle": "acme"}``.
    Writes are conditional: ``if_absent`` fails with ``Conflict`` when the document exists;
    ``expected_revision`` fails with ``Conflict`` unless the stored revision equals it.
    """

    def put(
        self,
        partition: str,
        key: str,
        doc: Mapping[str, Any],
        *,
        index: Mapping[str, str] | None = None,
        if_absent: bool = False,
        expected_revision: int | None = None,
    ) -> StoredDocument: ...

    def get(self, partition: str, key: str) -> StoredDocument:
        """Raises ``NotFound``."""
        ...

    def query(self, partition: str, *, key_prefix: str = "") -> list[StoredDocument]:
        """Documents of one partition ordered by key."""
        ...

    def query_index(self, name: str, value: str) -> list[StoredDocument]:
        """Documents whose index attribute ``name`` equals ``value``, ordered by (partition, key)."""
        ...

    def delete(self, partition: str, key: str) -> None: ...


class SearchDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    text: str = ""
    vector: list[float] | None = None
    fields: dict[str, Any] = Field(default_factory=dict, description="Filterable attributes.")


class SearchHit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    score: float
    text: str = ""
    fields: dict[str, Any] = Field(default_factory=dict)


@runtime_checkable
class SearchIndex(Protocol):
    """Text and vector search over documents of named indexes."""

    def ensure_index(self, index: str, *, dimensions: int | None = None) -> None: ...

    def upsert(self, index: str, documents: Sequence[SearchDocument]) -> None: ...

    def get(self, index: str, ids: Sequence[str]) -> list[SearchDocument]:
        """Documents found among ``ids`` (missing ids are skipped), in the order asked."""
        ...

    def search(
        self,
        index: str,
        *,
        text: str | None = None,
        vector: Sequence[float] | None = None,
        k: int = 10,
        filters: Mapping[str, Any] | None = None,
        text_weight: float = 0.5,
    ) -> list[SearchHit]:
        """BM25 when only ``text`` is given, k-NN (cosine) when only ``vector``, and a hybrid of both
        (min-max normalised scores mixed by ``text_weight``) when both are."""
        ...

    def count(self, index: str) -> int: ...

    def delete_index(self, index: str) -> None: ...
