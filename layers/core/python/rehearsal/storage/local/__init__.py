"""Embedded adapters: a folder of files, SQLite, an in-process search index."""

from rehearsal.storage.local.blobs import LocalBlobStore
from rehearsal.storage.local.runs import SqliteRunStore
from rehearsal.storage.local.search import LocalSearchIndex

__all__ = ["LocalBlobStore", "LocalSearchIndex", "SqliteRunStore"]
