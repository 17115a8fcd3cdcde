"""The RunStore contract, run against SQLite and DynamoDB (moto)."""

from __future__ import annotations

import threading

import pytest

from rehearsal.storage.ports import Conflict, NotFound, RunStore


def test_put_then_get_returns_the_document_at_revision_one(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {"status": "running", "score": 0.5, "tags": ["a"]})

    # When
    stored = run_store.get("run#R1", "meta")

    # Then
    assert (stored.revision, stored.doc) == (1, {"status": "running", "score": 0.5, "tags": ["a"]})


def test_each_write_adds_one_revision(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {"n": 1})

    # When
    stored = run_store.put("run#R1", "meta", {"n": 2})

    # Then
    assert stored.revision == 2
    assert run_store.get("run#R1", "meta").doc == {"n": 2}


def test_get_of_a_missing_document_raises_not_found(run_store: RunStore) -> None:
    # When / Then
    with pytest.raises(NotFound, match="run#R9/meta"):
        run_store.get("run#R9", "meta")


def test_if_absent_creates_a_new_document(run_store: RunStore) -> None:
    # When
    stored = run_store.put("run#R1", "meta", {"n": 1}, if_absent=True)

    # Then
    assert stored.revision == 1


def test_if_absent_conflicts_with_an_existing_document(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {"n": 1})

    # When / Then
    with pytest.raises(Conflict):
        run_store.put("run#R1", "meta", {"n": 2}, if_absent=True)
    assert run_store.get("run#R1", "meta").doc == {"n": 1}


def test_expected_revision_that_matches_writes(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {"n": 1})

    # When
    stored = run_store.put("run#R1", "meta", {"n": 2}, expected_revision=1)

    # Then
    assert stored.revision == 2


@pytest.mark.parametrize("expected", [2, 5])
def test_expected_revision_that_moved_on_conflicts(run_store: RunStore, expected: int) -> None:
    # Given
    run_store.put("run#R1", "meta", {"n": 1})

    # When / Then
    with pytest.raises(Conflict):
        run_store.put("run#R1", "meta", {"n": 2}, expected_revision=expected)
    assert run_store.get("run#R1", "meta").revision == 1


def test_expected_revision_of_a_missing_document_conflicts(run_store: RunStore) -> None:
    # When / Then
    with pytest.raises(Conflict):
        run_store.put("run#R1", "meta", {"n": 1}, expected_revision=1)


def test_query_returns_one_partition_ordered_by_key(run_store: RunStore) -> None:
    # Given
    for key in ["item#0002", "item#0001", "meta", "item#0010"]:
        run_store.put("run#R1", key, {"key": key})
    run_store.put("run#R2", "item#0001", {"key": "other run"})

    # When
    keys = [stored.key for stored in run_store.query("run#R1")]

    # Then
    assert keys == ["item#0001", "item#0002", "item#0010", "meta"]


def test_query_with_a_key_prefix_keeps_matching_keys(run_store: RunStore) -> None:
    # Given
    for key in ["item#0001", "item#0002", "meta", "items"]:
        run_store.put("run#R1", key, {})

    # When
    keys = [stored.key for stored in run_store.query("run#R1", key_prefix="item#")]

    # Then
    assert keys == ["item#0001", "item#0002"]


def test_query_of_an_empty_partition_is_empty(run_store: RunStore) -> None:
    # When / Then
    assert run_store.query("run#none") == []


def test_query_pages_through_large_partitions(run_store: RunStore) -> None:
    # Given: enough bytes to need several DynamoDB pages (1 MB each)
    filler = "x" * 30_000
    for number in range(80):
        run_store.put("run#big", f"item#{number:04d}", {"filler": filler})

    # When
    documents = run_store.query("run#big")

    # Then
    assert [stored.key for stored in documents] == [f"item#{number:04d}" for number in range(80)]


def test_query_index_finds_documents_across_partitions_in_order(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R2", "meta", {"run": "R2"}, index={"bundle": "acme", "status": "green"})
    run_store.put("run#R1", "meta", {"run": "R1"}, index={"bundle": "acme"})
    run_store.put("run#R3", "meta", {"run": "R3"}, index={"bundle": "other"})

    # When
    found = run_store.query_index("bundle", "acme")

    # Then
    assert [(stored.partition, stored.doc["run"]) for stored in found] == [("run#R1", "R1"), ("run#R2", "R2")]


def test_query_index_sees_the_latest_document(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {"status": "running"}, index={"bundle": "acme"})

    # When
    run_store.put("run#R1", "meta", {"status": "passed"})

    # Then
    [stored] = run_store.query_index("bundle", "acme")
    assert (stored.revision, stored.doc) == (2, {"status": "passed"})


def test_a_new_index_value_replaces_the_old_one(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {}, index={"status": "running"})

    # When
    run_store.put("run#R1", "meta", {}, index={"status": "green"})

    # Then
    assert run_store.query_index("status", "running") == []
    assert [stored.partition for stored in run_store.query_index("status", "green")] == ["run#R1"]


def test_an_empty_index_removes_every_attribute(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {}, index={"bundle": "acme"})

    # When
    run_store.put("run#R1", "meta", {}, index={})

    # Then
    assert run_store.query_index("bundle", "acme") == []


def test_delete_removes_the_document_and_its_index_entries(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {}, index={"bundle": "acme"})

    # When
    run_store.delete("run#R1", "meta")

    # Then
    with pytest.raises(NotFound):
        run_store.get("run#R1", "meta")
    assert run_store.query_index("bundle", "acme") == []
    assert run_store.query("run#R1") == []


def test_delete_of_a_missing_document_is_a_no_op(run_store: RunStore) -> None:
    # When / Then
    run_store.delete("run#R1", "missing")


def test_a_deleted_document_can_be_created_again_at_revision_one(run_store: RunStore) -> None:
    # Given
    run_store.put("run#R1", "meta", {"n": 1})
    run_store.put("run#R1", "meta", {"n": 2})
    run_store.delete("run#R1", "meta")

    # When
    stored = run_store.put("run#R1", "meta", {"n": 3}, if_absent=True)

    # Then
    assert stored.revision == 1


def test_concurrent_read_modify_write_with_expected_revision_loses_no_update(run_store: RunStore) -> None:
    # Given: a counter and writers that retry on Conflict
    run_store.put("run#R1", "counter", {"count": 0}, index={"bundle": "acme"})
    writers, increments = 6, 8

    def increment() -> None:
        for _ in range(increments):
            while True:
                current = run_store.get("run#R1", "counter")
                try:
                    run_store.put(
                        "run#R1",
                        "counter",
                        {"count": current.doc["count"] + 1},
                        expected_revision=current.revision,
                    )
                    break
                except Conflict:
                    continue

    # When
    threads = [threading.Thread(target=increment) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then
    final = run_store.get("run#R1", "counter")
    assert final.doc == {"count": writers * increments}
    assert final.revision == 1 + writers * increments


def test_concurrent_plain_puts_each_get_their_own_revision(run_store: RunStore) -> None:
    # Given
    writers = 8
    revisions: list[int] = []
    lock = threading.Lock()

    def write(number: int) -> None:
        stored = run_store.put("run#R1", "meta", {"writer": number}, index={"bundle": f"b{number % 2}"})
        with lock:
            revisions.append(stored.revision)

    # When
    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then
    assert sorted(revisions) == list(range(1, writers + 1))
    assert run_store.get("run#R1", "meta").revision == writers
