"""Build the stores a process uses from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from rehearsal.settings import Settings
from rehearsal.storage.local import LocalBlobStore, LocalSearchIndex, SqliteRunStore
from rehearsal.storage.ports import BlobStore, RunStore, SearchIndex


@dataclass(frozen=True)
class Stores:
    blobs: BlobStore
    runs: RunStore
    search: SearchIndex


def build_stores(settings: Settings) -> Stores:
    if settings.backend == "local":
        home = settings.home
        return Stores(
            blobs=LocalBlobStore(home / "blobs"),
            runs=SqliteRunStore(home / "runs.sqlite3"),
            search=LocalSearchIndex(home / "search"),
        )
    from rehearsal.storage.aws import build_aws_stores  # boto3 only where AWS is used

    return build_aws_stores(settings)
