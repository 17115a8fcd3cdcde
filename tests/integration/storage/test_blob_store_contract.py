"""The BlobStore contract, run against the local folder and S3 (moto)."""

from __future__ import annotations

import threading

import pytest

from rehearsal.storage.ports import BlobStore, NotFound


def test_put_then_get_returns_the_bytes(blob_store: BlobStore) -> None:
    # Given
    blob_store.put("bundles/acme/v1.json", b'{"a": 1}', content_type="application/json")

    # When
    data = blob_store.get("bundles/acme/v1.json")

    # Then
    assert data == b'{"a": 1}'


def test_put_overwrites(blob_store: BlobStore) -> None:
    # Given
    blob_store.put("k", b"one")

    # When
    blob_store.put("k", b"two")

    # Then
    assert blob_store.get("k") == b"two"


def test_get_of_a_missing_key_raises_not_found(blob_store: BlobStore) -> None:
    # When / Then
    with pytest.raises(NotFound, match="missing/key"):
        blob_store.get("missing/key")


def test_put_if_absent_writes_a_new_key(blob_store: BlobStore) -> None:
    # When
    wrote = blob_store.put_if_absent("manifests/r1.json", b"[]")

    # Then
    assert wrote is True
    assert blob_store.get("manifests/r1.json") == b"[]"


def test_put_if_absent_keeps_an_existing_key(blob_store: BlobStore) -> None:
    # Given
    blob_store.put("manifests/r1.json", b"first")

    # When
    wrote = blob_store.put_if_absent("manifests/r1.json", b"second")

    # Then
    assert wrote is False
    assert blob_store.get("manifests/r1.json") == b"first"


def test_exists_tells_present_from_missing(blob_store: BlobStore) -> None:
    # Given
    blob_store.put("a/b", b"x")

    # When / Then
    assert (blob_store.exists("a/b"), blob_store.exists("a/c")) == (True, False)


def test_list_returns_keys_under_the_prefix_in_lexicographic_order(blob_store: BlobStore) -> None:
    # Given
    for key in ["runs/r2/b", "runs/r1/z", "runs/r1/a", "bundles/x", "runs/r10/a"]:
        blob_store.put(key, b".")

    # When
    keys = list(blob_store.list("runs/"))

    # Then
    assert keys == ["runs/r1/a", "runs/r1/z", "runs/r10/a", "runs/r2/b"]


def test_list_without_prefix_returns_every_key(blob_store: BlobStore) -> None:
    # Given
    blob_store.put("b", b".")
    blob_store.put("a/c", b".")

    # When / Then
    assert list(blob_store.list()) == ["a/c", "b"]


def test_delete_removes_the_key_and_tolerates_a_missing_one(blob_store: BlobStore) -> None:
    # Given
    blob_store.put("gone", b".")

    # When
    blob_store.delete("gone")
    blob_store.delete("never-there")

    # Then
    assert not blob_store.exists("gone")


def test_url_names_the_key(blob_store: BlobStore) -> None:
    # When
    url = blob_store.url("reports/r1.html")

    # Then
    assert url.endswith("reports/r1.html")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", ".."])
def test_invalid_keys_are_rejected(blob_store: BlobStore, key: str) -> None:
    # When / Then
    with pytest.raises(ValueError, match="invalid blob key"):
        blob_store.put(key, b".")


def test_concurrent_put_if_absent_lets_exactly_one_writer_win(blob_store: BlobStore) -> None:
    # Given
    results: list[bool] = []
    lock = threading.Lock()

    def write(number: int) -> None:
        wrote = blob_store.put_if_absent("manifests/once.json", f"writer {number}".encode())
        with lock:
            results.append(wrote)

    # When
    threads = [threading.Thread(target=write, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then
    assert sorted(results) == [False] * 7 + [True]
    assert blob_store.get("manifests/once.json").startswith(b"writer ")


@pytest.mark.parametrize("prefix", ["../", "runs/../", "nothing/here/"])
def test_list_with_a_prefix_no_key_has_is_empty(blob_store: BlobStore, prefix: str) -> None:
    # Given
    blob_store.put("runs/r1", b".")

    # When / Then
    assert list(blob_store.list(prefix)) == []
