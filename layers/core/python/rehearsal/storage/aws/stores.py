"""Build the AWS stores from settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from rehearsal.settings import Settings
from rehearsal.storage.aws.blobs import S3BlobStore
from rehearsal.storage.aws.clients import client
from rehearsal.storage.aws.runs import DynamoRunStore
from rehearsal.storage.aws.search import OpenSearchIndex
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import SearchDocument, SearchHit, SearchIndex


class DeferredSearchIndex:
    """Connects on first use: stages that never search (most Lambdas) neither need an OpenSearch
    endpoint nor pay for signing setup, and a missing endpoint is reported where search is used."""

    def __init__(self, connect: Callable[[], SearchIndex]) -> None:
        self._connect = connect

    @cached_property
    def _index(self) -> SearchIndex:
        return self._connect()

    def ensure_index(self, index: str, *, dimensions: int | None = None) -> None:
        self._index.ensure_index(index, dimensions=dimensions)

    def upsert(self, index: str, documents: Sequence[SearchDocument]) -> None:
        self._index.upsert(index, documents)

    def get(self, index: str, ids: Sequence[str]) -> list[SearchDocument]:
        return self._index.get(index, ids)

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
        return self._index.search(
            index, text=text, vector=vector, k=k, filters=filters, text_weight=text_weight
        )

    def count(self, index: str) -> int:
        return self._index.count(index)

    def delete_index(self, index: str) -> None:
        self._index.delete_index(index)


def build_aws_stores(settings: Settings) -> Stores:
    if not settings.bucket or not settings.table:
        raise ValueError("the aws backend needs REHEARSAL_BUCKET and REHEARSAL_TABLE")
    return Stores(
        blobs=S3BlobStore(client(settings, "s3"), settings.bucket),
        runs=DynamoRunStore(client(settings, "dynamodb"), settings.table),
        search=DeferredSearchIndex(lambda: OpenSearchIndex.from_settings(settings)),
    )
