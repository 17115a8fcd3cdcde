from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rehearsal.bundles import BundleValidationError, LoadedBundle, bundle_from_data
from rehearsal.bundles.store import BundleNotFound, BundleStore, BundleStoreError
from rehearsal.storage.local import LocalBlobStore, SqliteRunStore


def tick() -> Iterator[datetime]:
    moment = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    while True:
        moment += timedelta(minutes=1)
        yield moment


@pytest.fixture
def store(tmp_path: Path) -> BundleStore:
    clock = tick()
    return BundleStore(
        LocalBlobStore(tmp_path / "blobs"),
        SqliteRunStore(tmp_path / "runs.sqlite3"),
        clock=lambda: next(clock),
    )


def variant(data: dict[str, Any], greeting: str) -> LoadedBundle:
    changed = json.loads(json.dumps(data))
    changed["agents"][0]["greeting"] = greeting
    return bundle_from_data(changed)


@pytest.fixture
def versions(valid_data: dict[str, Any]) -> list[LoadedBundle]:
    return [variant(valid_data, f"Hello {number}") for number in range(1, 4)]


def test_push_is_idempotent(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    first = store.push(versions[0])
    # When
    again = store.push(versions[0])
    # Then
    assert (first.created, again.created) == (True, False)
    assert [ref.version for ref in store.list("shop")] == [versions[0].version]


def test_list_shows_versions_oldest_first_with_labels(
    store: BundleStore, versions: list[LoadedBundle]
) -> None:
    # Given
    store.push(versions[0], label="stable")
    store.push(versions[1], label="candidate")
    # When
    refs = store.list("shop")
    # Then
    assert [(ref.version, ref.labels) for ref in refs] == [
        (versions[0].version, ["stable"]),
        (versions[1].version, ["candidate"]),
    ]
    assert refs[0].created_at < refs[1].created_at
    assert refs[0].created_at.tzinfo is not None


def test_get_returns_the_stored_bundle(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    store.push(versions[1])
    # When
    loaded = store.get("shop", versions[1].version[:8])
    # Then
    assert loaded.bundle == versions[1].bundle
    assert loaded.version == versions[1].version


@pytest.mark.parametrize("selector", ["nope", "abcdef", "live"])
def test_unknown_selectors_are_not_found(
    store: BundleStore, versions: list[LoadedBundle], selector: str
) -> None:
    # Given
    store.push(versions[0])
    # When / Then
    with pytest.raises(BundleNotFound):
        store.get("shop", selector)


def test_unknown_bundle_name_is_not_found(store: BundleStore) -> None:
    # Given / When / Then
    with pytest.raises(BundleNotFound, match="no bundle named 'ghost'"):
        store.list("ghost")


@pytest.mark.parametrize("label", ["live", "abc123", "1st", "has space"])
def test_invalid_labels_are_rejected(store: BundleStore, versions: list[LoadedBundle], label: str) -> None:
    # Given / When / Then
    with pytest.raises(BundleStoreError, match="invalid label"):
        store.push(versions[0], label=label)


def test_a_label_moves_to_the_version_pushed_with_it(
    store: BundleStore, versions: list[LoadedBundle]
) -> None:
    # Given
    store.push(versions[0], label="candidate")
    # When
    store.push(versions[1], label="candidate")
    # Then
    assert store.resolve_version("shop", "candidate") == versions[1].version


def test_promote_sets_live_and_records_who_and_when(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    store.push(versions[0])
    # When
    ref = store.promote("shop", versions[0].version, by="ana", reason="first release")
    # Then
    pointer = store.live_pointer("shop")
    assert ref.live and store.live("shop") == versions[0].version
    [event] = pointer.history
    assert (event.action, event.by, event.reason) == ("promote", "ana", "first release")


def test_rollback_works_repeatedly(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given: three releases in turn
    for loaded in versions:
        store.push(loaded)
        store.promote("shop", loaded.version)
    # When
    first = store.rollback("shop", by="bo")
    second = store.rollback("shop", by="bo")
    # Then
    assert (first.version, second.version) == (versions[1].version, versions[0].version)
    assert [event.action for event in store.live_pointer("shop").history] == ["promote"] * 3 + [
        "rollback"
    ] * 2


def test_rollback_without_an_earlier_live_version_fails(
    store: BundleStore, versions: list[LoadedBundle]
) -> None:
    # Given
    store.push(versions[0])
    store.promote("shop", versions[0].version)
    # When / Then
    with pytest.raises(BundleStoreError, match="no earlier live version"):
        store.rollback("shop")


def test_resolve_reads_files_and_refs(
    store: BundleStore, versions: list[LoadedBundle], tmp_path: Path, valid_yaml: str
) -> None:
    # Given
    file = tmp_path / "shop.yaml"
    file.write_text(valid_yaml)
    store.push(versions[0], label="stable")
    store.promote("shop", "stable")
    # When
    by_ref = {
        ref: store.resolve(ref).version
        for ref in ["shop", "shop@live", "shop@stable", "shop@" + versions[0].version[:6]]
    }
    # Then
    assert set(by_ref.values()) == {versions[0].version}
    assert store.resolve(str(file)).name == "shop"


def test_split_is_sticky_and_follows_the_weights(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    store.push(versions[0], label="a")
    store.push(versions[1], label="b")
    store.set_split("shop", {"a": 90, "b": 10})
    # When
    chosen = [store.choose_version("shop", f"conv-{number}") for number in range(2000)]
    # Then
    share_b = chosen.count(versions[1].version) / len(chosen)
    assert 0.08 < share_b < 0.12
    assert store.choose_version("shop", "conv-7") == chosen[7]


def test_without_a_split_the_live_version_serves(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    store.push(versions[0])
    store.promote("shop", versions[0].version)
    store.set_split("shop", {versions[0].version: 1})
    # When
    store.set_split("shop", {})
    # Then
    assert store.split("shop") is None
    assert store.choose_version("shop", "any") == versions[0].version


def test_list_reports_live_and_split_shares(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    store.push(versions[0])
    store.push(versions[1])
    store.promote("shop", versions[0].version)
    store.set_split("shop", {versions[0].version: 3, versions[1].version: 1})
    # When
    refs = store.list("shop")
    # Then
    assert [(ref.live, ref.weight) for ref in refs] == [(True, 0.75), (False, 0.25)]


def test_diff_between_stored_versions(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    store.push(versions[0], label="a")
    store.push(versions[1], label="b")
    # When
    diff = store.diff("shop@a", "shop@b")
    # Then
    assert [(change.path, change.before, change.after) for change in diff.changes] == [
        ("agents[name=orders].greeting", "Hello 1", "Hello 2")
    ]


def test_concurrent_promotions_keep_every_event(store: BundleStore, versions: list[LoadedBundle]) -> None:
    # Given
    for loaded in versions:
        store.push(loaded)
    # When: twelve promotions race for the live pointer
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: store.promote("shop", versions[n % 3].version, by=f"user{n}"), range(12)))
    # Then
    assert sorted(event.by or "" for event in store.live_pointer("shop").history) == sorted(
        f"user{n}" for n in range(12)
    )


def test_push_refuses_an_invalid_bundle_built_in_code(
    store: BundleStore, versions: list[LoadedBundle]
) -> None:
    # Given: a bundle whose router names a missing agent, built without the loader
    broken = versions[0].bundle.model_copy(deep=True)
    assert broken.router is not None
    broken.router.entry_agent = "ghost"
    # When / Then
    with pytest.raises(BundleValidationError, match="unknown entry agent 'ghost'"):
        store.push(broken)
