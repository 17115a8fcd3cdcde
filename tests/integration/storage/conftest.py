"""Adapters under contract: every test in this folder runs once per adapter of its port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fake_opensearch import FakeOpenSearch
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from rehearsal.storage.aws.blobs import S3BlobStore
from rehearsal.storage.aws.runs import DynamoRunStore, create_table
from rehearsal.storage.aws.search import OpenSearchIndex
from rehearsal.storage.local import LocalBlobStore, LocalSearchIndex, SqliteRunStore
from rehearsal.storage.ports import BlobStore, RunStore, SearchIndex

REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto with requests handled one at a time, as AWS applies each conditional write atomically.

    moto's backends have no locks, so two threads could both pass a condition check; serialising
    requests restores the per-item atomicity the adapters rely on, while the adapters' own
    read-then-conditional-write sequences still interleave freely across threads.
    """
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    lock = threading.Lock()
    process = BotocoreStubber.process_request

    def atomic(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", atomic)
    with mock_aws():
        yield


@pytest.fixture(params=["local", "s3"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    request.getfixturevalue("aws")
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="rehearsal-test")
    return S3BlobStore(s3, "rehearsal-test", prefix="tenant-a")


@pytest.fixture(params=["sqlite", "dynamodb"])
def run_store(request: pytest.FixtureRequest, tmp_path: Path) -> RunStore:
    if request.param == "sqlite":
        return SqliteRunStore(tmp_path / "runs.sqlite3")
    request.getfixturevalue("aws")
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_table(dynamodb, "rehearsal-runs")
    return DynamoRunStore(dynamodb, "rehearsal-runs")


@pytest.fixture
def fake_opensearch() -> FakeOpenSearch:
    return FakeOpenSearch()


@pytest.fixture(params=["local", "opensearch-domain", "opensearch-serverless"])
def search_index(request: pytest.FixtureRequest, tmp_path: Path) -> SearchIndex:
    if request.param == "local":
        return LocalSearchIndex(tmp_path / "search")
    serverless = request.param == "opensearch-serverless"
    fake = FakeOpenSearch(serverless=serverless)
    return OpenSearchIndex(fake.client(), serverless=serverless)
