"""The run store on one DynamoDB table.

Table design (the CDK Storage construct mirrors ``TABLE_DEFINITION``):

* Base table keys ``pk`` (partition) and ``sk`` (key), both strings.
* A document is one item: ``pk``, ``sk``, ``revision`` (number), ``doc`` (the document as a JSON
  string, so types round-trip exactly and no float becomes a ``Decimal``) and ``index`` (a map of its
  index attributes).
* Each index attribute ``name=value`` of a document is one small entry item in a reserved partition
  ``~index~<partition>`` with sort key ``["<key>", "<name>"]`` (JSON), carrying
  ``gsi1pk = "<name>#<value>"`` and ``gsi1sk = ["<partition>", "<key>"]`` (JSON). The global secondary
  index ``gsi1`` (keys only) answers ``query_index`` with the keys of the matching documents, which are
  then read with consistent ``BatchGetItem``; a match is kept only when the document still carries the
  attribute, so a lagging GSI can delay a new match but never return a stale one.
* Every write is conditional on the revision read just before (``attribute_not_exists`` for a new
  document), so concurrent writers never lose an update: a plain ``put`` retries on a lost race,
  ``if_absent`` and ``expected_revision`` writes raise ``Conflict``. A write that changes index
  attributes updates the document and its entries in one transaction.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from rehearsal.storage.aws.clients import error_code
from rehearsal.storage.ports import Conflict, NotFound, StorageError, StoredDocument

PARTITION_KEY = "pk"
SORT_KEY = "sk"
INDEX_NAME = "gsi1"
INDEX_PARTITION_KEY = "gsi1pk"
INDEX_SORT_KEY = "gsi1sk"
ENTRY_PARTITION_PREFIX = "~index~"

TABLE_DEFINITION: dict[str, Any] = {
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": "S"}
        for name in (PARTITION_KEY, SORT_KEY, INDEX_PARTITION_KEY, INDEX_SORT_KEY)
    ],
    "KeySchema": [
        {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": INDEX_NAME,
            "KeySchema": [
                {"AttributeName": INDEX_PARTITION_KEY, "KeyType": "HASH"},
                {"AttributeName": INDEX_SORT_KEY, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}

_INDEX_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")  # no '#', so "<name>#<value>" is unambiguous
_BATCH_GET_LIMIT = 100
_TRANSACTION_LIMIT = 100
_PUT_ATTEMPTS = 50
_MAX_DOC_BYTES = 380_000  # DynamoDB's item limit is 400 KB, keys and attribute names included


def create_table(client: Any, table: str) -> None:
    """Create the run-store table (tests, LocalStack, one-off setups; production tables come from CDK)."""
    client.create_table(TableName=table, **TABLE_DEFINITION)
    client.get_waiter("table_exists").wait(TableName=table)


@dataclass(frozen=True)
class _Current:
    revision: int
    index: dict[str, str] = field(default_factory=dict)


class _LostRaceError(Exception):
    """The item changed between our read and our conditional write."""


class DynamoRunStore:
    def __init__(self, client: Any, table: str) -> None:
        if not table:
            raise ValueError("DynamoDB run store needs a table name (REHEARSAL_TABLE)")
        self._db = client
        self.table = table

    # -- writes -------------------------------------------------------------------------------------

    def put(
        self,
        partition: str,
        key: str,
        doc: Mapping[str, Any],
        *,
        index: Mapping[str, str] | None = None,
        if_absent: bool = False,
        expected_revision: int | None = None,
    ) -> StoredDocument:
        _check_address(partition, key)
        if index is not None:
            for name, value in index.items():
                _check_index_attribute(name, value)
        body = json.dumps(doc, sort_keys=True, default=str)
        if len(body.encode()) > _MAX_DOC_BYTES:
            raise ValueError(
                f"document {partition}/{key} is {len(body.encode()):,} bytes of JSON; the run store keeps "
                f"small documents (at most {_MAX_DOC_BYTES:,}): put large content in the blob store"
            )
        conditional = if_absent or expected_revision is not None
        for attempt in range(_PUT_ATTEMPTS):
            current = self._current(partition, key)
            if if_absent and current is not None:
                raise Conflict(f"document {partition}/{key} exists")
            if expected_revision is not None and (current is None or current.revision != expected_revision):
                found = current.revision if current else None
                raise Conflict(
                    f"document {partition}/{key} is at revision {found}, expected {expected_revision}"
                )
            try:
                revision = self._write(partition, key, body, index, current)
            except _LostRaceError:
                if conditional:
                    raise Conflict(f"document {partition}/{key} changed while writing") from None
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # jitter, not security
                continue
            return StoredDocument(partition=partition, key=key, revision=revision, doc=json.loads(body))
        raise Conflict(f"document {partition}/{key}: gave up after {_PUT_ATTEMPTS} concurrent write races")

    def _write(
        self,
        partition: str,
        key: str,
        body: str,
        index: Mapping[str, str] | None,
        current: _Current | None,
    ) -> int:
        revision = (current.revision if current else 0) + 1
        old_index = current.index if current else {}
        new_index = dict(index) if index is not None else old_index
        item = {
            PARTITION_KEY: {"S": partition},
            SORT_KEY: {"S": key},
            "revision": {"N": str(revision)},
            "doc": {"S": body},
            "index": {"M": {name: {"S": value} for name, value in new_index.items()}},
        }
        condition: dict[str, Any] = (
            {"ConditionExpression": f"attribute_not_exists({PARTITION_KEY})"}
            if current is None
            else {
                "ConditionExpression": "revision = :seen",
                "ExpressionAttributeValues": {":seen": {"N": str(current.revision)}},
            }
        )
        put = {"TableName": self.table, "Item": item, **condition}
        if new_index == old_index:
            try:
                self._db.put_item(**put)
            except ClientError as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    raise _LostRaceError from None
                raise
            return revision
        changes = [{"Put": put}]
        changes += [
            {"Put": {"TableName": self.table, "Item": self._entry(partition, key, n, v)}}
            for n, v in new_index.items()
            if old_index.get(n) != v
        ]
        changes += [
            {"Delete": {"TableName": self.table, "Key": self._entry_key(partition, key, n)}}
            for n in old_index
            if n not in new_index
        ]
        self._transact(changes)
        return revision

    def delete(self, partition: str, key: str) -> None:
        _check_address(partition, key)
        current = self._current(partition, key)
        if current is None:
            return
        changes = [{"Delete": {"TableName": self.table, "Key": _doc_key(partition, key)}}]
        changes += [
            {"Delete": {"TableName": self.table, "Key": self._entry_key(partition, key, name)}}
            for name in current.index
        ]
        try:
            self._transact(changes)
        except _LostRaceError:  # a concurrent write won; delete what it left
            self.delete(partition, key)

    def _transact(self, changes: list[dict[str, Any]]) -> None:
        if len(changes) > _TRANSACTION_LIMIT:
            raise ValueError(f"a document may carry at most {_TRANSACTION_LIMIT - 1} index attributes")
        try:
            self._db.transact_write_items(TransactItems=changes)
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons", [])}
            if reasons & {"ConditionalCheckFailed", "TransactionConflict"}:
                raise _LostRaceError from None
            raise StorageError(
                f"transaction on {self.table} cancelled: {sorted(map(str, reasons))}"
            ) from error

    def _entry(self, partition: str, key: str, name: str, value: str) -> dict[str, Any]:
        return {
            **self._entry_key(partition, key, name),
            INDEX_PARTITION_KEY: {"S": f"{name}#{value}"},
            INDEX_SORT_KEY: {"S": json.dumps([partition, key])},
        }

    @staticmethod
    def _entry_key(partition: str, key: str, name: str) -> dict[str, Any]:
        return {
            PARTITION_KEY: {"S": ENTRY_PARTITION_PREFIX + partition},
            SORT_KEY: {"S": json.dumps([key, name])},
        }

    # -- reads --------------------------------------------------------------------------------------

    def _current(self, partition: str, key: str) -> _Current | None:
        item = self._db.get_item(
            TableName=self.table,
            Key=_doc_key(partition, key),
            ConsistentRead=True,
            ProjectionExpression="revision, #index",
            ExpressionAttributeNames={"#index": "index"},
        ).get("Item")
        if item is None:
            return None
        index = {name: value["S"] for name, value in item.get("index", {}).get("M", {}).items()}
        return _Current(revision=int(item["revision"]["N"]), index=index)

    def get(self, partition: str, key: str) -> StoredDocument:
        _check_address(partition, key)
        item = self._db.get_item(TableName=self.table, Key=_doc_key(partition, key), ConsistentRead=True).get(
            "Item"
        )
        if item is None:
            raise NotFound(f"document {partition}/{key} not found")
        return _document(item)

    def query(self, partition: str, *, key_prefix: str = "") -> list[StoredDocument]:
        _check_partition(partition)
        condition = f"{PARTITION_KEY} = :partition"
        values: dict[str, Any] = {":partition": {"S": partition}}
        if key_prefix:
            condition += f" AND begins_with({SORT_KEY}, :prefix)"
            values[":prefix"] = {"S": key_prefix}
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        )
        # DynamoDB orders sort keys by UTF-8 bytes, i.e. by code point, as the port promises.
        return [_document(item) for page in pages for item in page.get("Items", [])]

    def query_index(self, name: str, value: str) -> list[StoredDocument]:
        _check_index_attribute(name, value)
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=INDEX_NAME,
            KeyConditionExpression=f"{INDEX_PARTITION_KEY} = :entry",
            ExpressionAttributeValues={":entry": {"S": f"{name}#{value}"}},
        )
        addresses = [
            tuple(json.loads(item[INDEX_SORT_KEY]["S"])) for page in pages for item in page.get("Items", [])
        ]
        found = [
            _document(item)
            for item in self._batch_get(addresses)
            if item.get("index", {}).get("M", {}).get(name, {}).get("S") == value
        ]
        return sorted(found, key=lambda document: (document.partition, document.key))

    def _batch_get(self, addresses: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        keys = [_doc_key(partition, key) for partition, key in dict.fromkeys(addresses)]
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), _BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + _BATCH_GET_LIMIT], "ConsistentRead": True}
            }
            for attempt in range(_PUT_ATTEMPTS):
                response = self._db.batch_get_item(RequestItems=request)
                items += response.get("Responses", {}).get(self.table, [])
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(1.0, 0.01 * 2**attempt))  # unprocessed keys mean throttling: back off
            else:
                raise StorageError(f"{self.table}: batch read kept being throttled")
        return items


def _doc_key(partition: str, key: str) -> dict[str, Any]:
    return {PARTITION_KEY: {"S": partition}, SORT_KEY: {"S": key}}


def _document(item: Mapping[str, Any]) -> StoredDocument:
    return StoredDocument(
        partition=item[PARTITION_KEY]["S"],
        key=item[SORT_KEY]["S"],
        revision=int(item["revision"]["N"]),
        doc=json.loads(item["doc"]["S"]),
    )


def _check_partition(partition: str) -> None:
    if not partition:
        raise ValueError("partition must not be empty")
    if partition.startswith(ENTRY_PARTITION_PREFIX):
        raise ValueError(f"partition {partition!r}: the prefix {ENTRY_PARTITION_PREFIX!r} is reserved")


def _check_address(partition: str, key: str) -> None:
    _check_partition(partition)
    if not key:
        raise ValueError(f"document key in partition {partition!r} must not be empty")


def _check_index_attribute(name: str, value: str) -> None:
    if not _INDEX_NAME_PATTERN.match(name):
        raise ValueError(f"index attribute name {name!r} must match {_INDEX_NAME_PATTERN.pattern}")
    if not isinstance(value, str) or not value:
        raise ValueError(f"index attribute {name!r} needs a non-empty string value, got {value!r}")
