"""The blob store on S3: one bucket, an optional key prefix, server-side encryption on every write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from rehearsal.storage.aws.clients import error_code, http_status
from rehearsal.storage.keys import check_blob_key
from rehearsal.storage.ports import NotFound, StorageError

_NOT_FOUND_CODES = {"NoSuchKey", "404", "NotFound"}
# 412: the key exists. 409: another conditional write to the key is in flight and will win.
_LOST_RACE_STATUSES = {409, 412}


class S3BlobStore:
    def __init__(self, client: Any, bucket: str, *, prefix: str = "", kms_key_id: str | None = None) -> None:
        if not bucket:
            raise ValueError("S3 blob store needs a bucket name (REHEARSAL_BUCKET)")
        self._s3 = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._encryption: dict[str, str] = (
            {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
            if kms_key_id
            else {"ServerSideEncryption": "AES256"}
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_blob_key(key)

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        self._s3.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type, **self._encryption
        )

    def put_if_absent(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> bool:
        # S3 conditional writes make create-if-absent atomic: no head-then-put race.
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
                IfNoneMatch="*",
                **self._encryption,
            )
        except ClientError as error:
            if http_status(error) in _LOST_RACE_STATUSES:
                return False
            raise
        return True

    def get(self, key: str) -> bytes:
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error_code(error) in _NOT_FOUND_CODES:
                raise NotFound(f"blob {key!r} not found in {self.url(key)}") from None
            raise StorageError(f"cannot read {self.url(key)}: {error}") from error
        body: bytes = response["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error_code(error) in _NOT_FOUND_CODES or http_status(error) == 404:
                return False
            raise
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        # S3 lists keys in UTF-8 byte order, which is the code-point order the port promises.
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            for entry in page.get("Contents", []):
                yield entry["Key"][len(self.prefix) :]

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=self._key(key))

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"
