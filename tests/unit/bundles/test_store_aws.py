"""The bundle store over the AWS adapters (S3 + DynamoDB under moto): same behaviour as locally."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from rehearsal.bundles import LoadedBundle, bundle_from_data
from rehearsal.bundles.store import BundleStore
from rehearsal.storage.aws.blobs import S3BlobStore
from rehearsal.storage.aws.runs import DynamoRunStore, create_table

REGION = "us-east-1"


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[BundleStore]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="bundles")
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, "runs")
        yield BundleStore(S3BlobStore(s3, "bundles"), DynamoRunStore(dynamodb, "runs"))


def variant(data: dict[str, Any], greeting: str) -> LoadedBundle:
    changed = json.loads(json.dumps(data))
    changed["agents"][0]["greeting"] = greeting
    return bundle_from_data(changed)


def test_push_promote_rollback_and_split_on_aws(store: BundleStore, valid_data: dict[str, Any]) -> None:
    # Given
    first, second = variant(valid_data, "Hi"), variant(valid_data, "Hello")
    store.push(first, label="stable")
    store.push(second, label="candidate")
    store.push(second)
    # When
    store.promote("shop", "stable")
    store.promote("shop", "candidate")
    rolled_back = store.rollback("shop")
    store.set_split("shop", {"stable": 1, "candidate": 1})
    # Then
    assert [ref.labels for ref in store.list("shop")] == [["stable"], ["candidate"]]
    assert rolled_back.version == first.version
    assert store.get("shop", "candidate").bundle == second.bundle
    assert {store.choose_version("shop", f"c{n}") for n in range(50)} == {first.version, second.version}
