"""Stores built from settings, for each backend."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from opensearchpy import AWSV4SignerAuth

from rehearsal.settings import Settings
from rehearsal.storage.aws import DynamoRunStore, OpenSearchIndex, S3BlobStore
from rehearsal.storage.aws.runs import create_table
from rehearsal.storage.factory import build_stores
from rehearsal.storage.local import LocalBlobStore, LocalSearchIndex, SqliteRunStore
from rehearsal.storage.ports import BlobStore, RunStore, SearchDocument, SearchIndex


def test_the_local_backend_keeps_everything_under_home(tmp_path: Path) -> None:
    # When
    stores = build_stores(Settings(backend="local", home=tmp_path))

    # Then
    assert isinstance(stores.blobs, LocalBlobStore)
    assert isinstance(stores.runs, SqliteRunStore)
    assert isinstance(stores.search, LocalSearchIndex)
    assert stores.search.root == (tmp_path / "search").resolve()


def test_local_stores_work_end_to_end(tmp_path: Path) -> None:
    # Given
    stores = build_stores(Settings(backend="local", home=tmp_path))

    # When
    stores.search.ensure_index("utterances", dimensions=2)
    stores.search.upsert("utterances", [SearchDocument(id="u1", text="card lost", vector=[1.0, 0.0])])

    # Then
    assert [hit.id for hit in stores.search.search("utterances", text="cards")] == ["u1"]


def _aws_settings(**overrides: str) -> Settings:
    values = {"backend": "aws", "bucket": "data", "table": "runs", "aws_region": "us-east-1", **overrides}
    return Settings.model_validate(values)


def test_the_aws_backend_builds_s3_dynamodb_and_opensearch_adapters(aws: None) -> None:
    # Given
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="data")
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "runs")

    # When
    stores = build_stores(_aws_settings(opensearch_endpoint="https://search.example:443"))

    # Then
    assert isinstance(stores.blobs, S3BlobStore)
    assert isinstance(stores.runs, DynamoRunStore)
    assert isinstance(stores.search, SearchIndex)
    stores.blobs.put("a", b"1")
    stores.runs.put("p", "k", {"ok": True})
    assert (stores.blobs.get("a"), stores.runs.get("p", "k").doc) == (b"1", {"ok": True})
    assert isinstance(stores.blobs, BlobStore) and isinstance(stores.runs, RunStore)


def test_search_without_an_endpoint_fails_where_it_is_used(aws: None) -> None:
    # Given: a stage that never searches can still build its stores
    stores = build_stores(_aws_settings())

    # When / Then
    with pytest.raises(ValueError, match="REHEARSAL_OPENSEARCH_ENDPOINT"):
        stores.search.count("utterances")


@pytest.mark.parametrize("missing", ["bucket", "table"])
def test_the_aws_backend_needs_a_bucket_and_a_table(missing: str) -> None:
    # Given
    settings = _aws_settings().model_copy(update={missing: None})

    # When / Then
    with pytest.raises(ValueError, match="REHEARSAL_BUCKET and REHEARSAL_TABLE"):
        build_stores(settings)


@pytest.mark.parametrize(("service", "refreshes"), [("es", True), ("aoss", False)])
def test_opensearch_requests_are_signed_for_the_configured_service(
    aws: None, service: str, refreshes: bool
) -> None:
    # When
    index = OpenSearchIndex.from_settings(
        _aws_settings(opensearch_endpoint="https://search.example:443", opensearch_service=service)
    )

    # Then
    [connection] = index._client.transport.connection_pool.connections
    auth = connection.session.auth
    assert isinstance(auth, AWSV4SignerAuth)
    assert (auth.service, auth.signer.region) == (service, "us-east-1")
    assert bool(index._refresh) is refreshes
