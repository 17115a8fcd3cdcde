"""Storage ports and their adapters (``local`` embedded, ``aws``)."""

from rehearsal.storage.ports import (
    BlobStore,
    Conflict,
    NotFound,
    RunStore,
    SearchDocument,
    SearchHit,
    SearchIndex,
    StorageError,
    StoredDocument,
)

__all__ = [
    "BlobStore",
    "Conflict",
    "NotFound",
    "RunStore",
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "StorageError",
    "StoredDocument",
]
