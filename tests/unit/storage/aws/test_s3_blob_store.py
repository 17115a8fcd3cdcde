"""What the S3 blob store adds to the contract: prefix, encryption, content type, conditional writes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from rehearsal.storage.aws.blobs import S3BlobStore

BUCKET = "rehearsal-data"


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


def test_keys_live_under_the_prefix_and_list_without_it(s3: Any) -> None:
    # Given
    store = S3BlobStore(s3, BUCKET, prefix="/tenant-a/")

    # When
    store.put("runs/r1.json", b"{}")

    # Then
    assert [entry["Key"] for entry in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == [
        "tenant-a/runs/r1.json"
    ]
    assert list(store.list("runs/")) == ["runs/r1.json"]
    assert store.url("runs/r1.json") == "s3://rehearsal-data/tenant-a/runs/r1.json"


def test_objects_are_written_with_sse_and_their_content_type(s3: Any) -> None:
    # Given
    store = S3BlobStore(s3, BUCKET)

    # When
    store.put("report.html", b"<html/>", content_type="text/html")

    # Then
    head = s3.head_object(Bucket=BUCKET, Key="report.html")
    assert (head["ServerSideEncryption"], head["ContentType"]) == ("AES256", "text/html")


def test_a_kms_key_switches_encryption_to_kms(s3: Any) -> None:
    # Given
    key_id = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    store = S3BlobStore(s3, BUCKET, kms_key_id=key_id)

    # When
    store.put_if_absent("manifest.json", b"[]", content_type="application/json")

    # Then
    head = s3.head_object(Bucket=BUCKET, Key="manifest.json")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"].endswith(key_id)) == ("aws:kms", True)


def test_put_if_absent_is_a_conditional_write(s3: Any) -> None:
    # Given
    store = S3BlobStore(s3, BUCKET)
    calls: list[dict[str, Any]] = []
    s3.meta.events.register("provide-client-params.s3.PutObject", lambda params, **_: calls.append(params))

    # When
    store.put_if_absent("k", b"v")

    # Then
    assert calls[0]["IfNoneMatch"] == "*"


def test_other_s3_errors_are_not_mistaken_for_a_missing_key(s3: Any) -> None:
    # Given
    store = S3BlobStore(s3, "no-such-bucket")

    # When / Then
    with pytest.raises(ClientError, match="NoSuchBucket"):
        store.put_if_absent("k", b"v")


def test_a_bucket_is_required(s3: Any) -> None:
    # When / Then
    with pytest.raises(ValueError, match="REHEARSAL_BUCKET"):
        S3BlobStore(s3, "")
