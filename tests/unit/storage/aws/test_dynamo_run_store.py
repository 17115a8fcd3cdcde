"""What the DynamoDB run store adds to the contract: its table design and its input rules."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from rehearsal.storage.aws.runs import (
    ENTRY_PARTITION_PREFIX,
    INDEX_NAME,
    TABLE_DEFINITION,
    DynamoRunStore,
    create_table,
)

TABLE = "rehearsal-runs"


@pytest.fixture
def dynamodb(aws: None) -> Any:
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_table(client, TABLE)
    return client


@pytest.fixture
def store(dynamodb: Any) -> DynamoRunStore:
    return DynamoRunStore(dynamodb, TABLE)


def test_the_table_has_string_keys_and_a_keys_only_gsi(dynamodb: Any) -> None:
    # When
    table = dynamodb.describe_table(TableName=TABLE)["Table"]

    # Then
    assert [(key["AttributeName"], key["KeyType"]) for key in table["KeySchema"]] == [
        ("pk", "HASH"),
        ("sk", "RANGE"),
    ]
    [gsi] = table["GlobalSecondaryIndexes"]
    assert (gsi["IndexName"], gsi["Projection"]["ProjectionType"]) == (INDEX_NAME, "KEYS_ONLY")
    assert [key["AttributeName"] for key in gsi["KeySchema"]] == ["gsi1pk", "gsi1sk"]
    assert TABLE_DEFINITION["BillingMode"] == "PAY_PER_REQUEST"


def test_a_document_is_one_item_with_its_json_revision_and_index(
    store: DynamoRunStore, dynamodb: Any
) -> None:
    # When
    store.put("run#R1", "meta", {"pass_rate": 0.25, "n": 3}, index={"bundle": "acme"})

    # Then
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "run#R1"}, "sk": {"S": "meta"}})["Item"]
    assert json.loads(item["doc"]["S"]) == {"pass_rate": 0.25, "n": 3}
    assert (item["revision"]["N"], item["index"]["M"]) == ("1", {"bundle": {"S": "acme"}})


def test_each_index_attribute_is_one_entry_item_for_the_gsi(store: DynamoRunStore, dynamodb: Any) -> None:
    # When
    store.put("run#R1", "meta", {}, index={"bundle": "acme", "status": "green"})

    # Then
    entries = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": ENTRY_PARTITION_PREFIX + "run#R1"}},
    )["Items"]
    assert sorted((entry["gsi1pk"]["S"], entry["gsi1sk"]["S"]) for entry in entries) == [
        ("bundle#acme", json.dumps(["run#R1", "meta"])),
        ("status#green", json.dumps(["run#R1", "meta"])),
    ]


def test_a_lagging_index_entry_never_returns_a_document_that_lost_the_attribute(
    store: DynamoRunStore, dynamodb: Any
) -> None:
    # Given: the document moved to another bundle, but an entry for the old value is still visible
    store.put("run#R1", "meta", {}, index={"bundle": "new"})
    dynamodb.put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": ENTRY_PARTITION_PREFIX + "run#R1"},
            "sk": {"S": json.dumps(["meta", "bundle-old"])},
            "gsi1pk": {"S": "bundle#old"},
            "gsi1sk": {"S": json.dumps(["run#R1", "meta"])},
        },
    )

    # When / Then
    assert store.query_index("bundle", "old") == []


def test_query_index_reads_beyond_one_batch_get(store: DynamoRunStore) -> None:
    # Given
    for number in range(101):
        store.put(f"run#{number:03d}", "meta", {"n": number}, index={"bundle": "acme"})

    # When
    found = store.query_index("bundle", "acme")

    # Then
    assert [stored.doc["n"] for stored in found] == list(range(101))


@pytest.mark.parametrize(
    ("partition", "key", "index", "message"),
    [
        ("", "meta", None, "partition"),
        ("run#R1", "", None, "key"),
        (ENTRY_PARTITION_PREFIX + "x", "meta", None, "reserved"),
        ("run#R1", "meta", {"bad#name": "x"}, "bad#name"),
        ("run#R1", "meta", {"bundle": ""}, "non-empty"),
    ],
)
def test_bad_addresses_and_index_attributes_are_refused(
    store: DynamoRunStore, partition: str, key: str, index: dict[str, str] | None, message: str
) -> None:
    # When / Then
    with pytest.raises(ValueError, match=message):
        store.put(partition, key, {}, index=index)


def test_a_table_name_is_required(dynamodb: Any) -> None:
    # When / Then
    with pytest.raises(ValueError, match="REHEARSAL_TABLE"):
        DynamoRunStore(dynamodb, "")


def test_a_document_too_large_for_an_item_is_refused_with_advice(store: DynamoRunStore) -> None:
    # When / Then
    with pytest.raises(ValueError, match=r"run#R1/report.*blob store"):
        store.put("run#R1", "report", {"html": "x" * 400_000})
