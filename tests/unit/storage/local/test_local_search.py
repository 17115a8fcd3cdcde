"""What the local index adds to the contract: persistence in segments, reloads, and Lucene's BM25."""

from __future__ import annotations

import json
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from rehearsal.storage.local import LocalSearchIndex
from rehearsal.storage.ports import SearchDocument


def _docs(count: int, start: int = 0, *, dimensions: int = 4) -> list[SearchDocument]:
    rng = np.random.default_rng(start)
    return [
        SearchDocument(
            id=f"d{number}",
            text=f"document {number} about cards",
            vector=rng.standard_normal(dimensions).tolist(),
            fields={"n": number},
        )
        for number in range(start, start + count)
    ]


def test_documents_survive_a_new_instance(tmp_path: Path) -> None:
    # Given
    first = LocalSearchIndex(tmp_path)
    first.ensure_index("idx", dimensions=4)
    first.upsert("idx", _docs(5))

    # When
    second = LocalSearchIndex(tmp_path)

    # Then
    assert second.count("idx") == 5
    assert second.get("idx", ["d3"]) == first.get("idx", ["d3"])
    assert [hit.id for hit in second.search("idx", text="cards", k=5)] == [
        hit.id for hit in first.search("idx", text="cards", k=5)
    ]


def test_many_upserts_are_compacted_without_losing_documents(tmp_path: Path) -> None:
    # Given
    index = LocalSearchIndex(tmp_path)
    index.ensure_index("idx", dimensions=4)

    # When
    for batch in range(20):
        index.upsert("idx", _docs(3, start=batch * 2))  # overlapping ids: later batches replace

    # Then
    segments = [path for path in (tmp_path / "idx").glob("*.json") if path.name != "manifest.json"]
    assert len(segments) <= 5  # logarithmic in the number of upserts, and no orphaned files
    assert len(list((tmp_path / "idx").glob("*.npy"))) == len(segments)
    reopened = LocalSearchIndex(tmp_path)
    assert reopened.count("idx") == 41
    [latest] = reopened.get("idx", ["d2"])
    assert latest.vector == pytest.approx(_docs(3, start=2)[0].vector, abs=1e-6)


def test_rewriting_the_same_documents_does_not_grow_the_folder(tmp_path: Path) -> None:
    # Given
    index = LocalSearchIndex(tmp_path)
    index.ensure_index("idx", dimensions=4)

    # When
    for _ in range(50):
        index.upsert("idx", _docs(10))

    # Then
    stored = sum(len(json.loads(path.read_text())) for path in (tmp_path / "idx").glob("0*.json"))
    assert stored <= 20
    assert LocalSearchIndex(tmp_path).count("idx") == 10


def test_an_instance_sees_writes_made_by_another(tmp_path: Path) -> None:
    # Given
    reader = LocalSearchIndex(tmp_path)
    writer = LocalSearchIndex(tmp_path)
    writer.ensure_index("idx", dimensions=4)
    writer.upsert("idx", _docs(2))
    assert reader.count("idx") == 2

    # When
    writer.upsert("idx", _docs(3, start=10))

    # Then
    assert reader.count("idx") == 5


def test_writes_from_two_instances_both_land(tmp_path: Path) -> None:
    # Given
    one, two = LocalSearchIndex(tmp_path), LocalSearchIndex(tmp_path)
    one.ensure_index("idx", dimensions=4)
    one.count("idx")

    # When
    two.upsert("idx", _docs(2, start=0))
    one.upsert("idx", _docs(2, start=100))

    # Then
    assert LocalSearchIndex(tmp_path).count("idx") == 4


def test_a_deleted_index_is_gone_for_other_instances(tmp_path: Path) -> None:
    # Given
    one, two = LocalSearchIndex(tmp_path), LocalSearchIndex(tmp_path)
    one.ensure_index("idx")
    two.count("idx")

    # When
    one.delete_index("idx")

    # Then
    assert not (tmp_path / "idx").exists()
    with pytest.raises(KeyError):
        two.count("idx")


def test_the_last_duplicate_id_in_a_batch_wins(tmp_path: Path) -> None:
    # Given
    index = LocalSearchIndex(tmp_path)
    index.ensure_index("idx", dimensions=2)

    # When
    index.upsert(
        "idx",
        [
            SearchDocument(id="a", text="first", vector=[1.0, 0.0]),
            SearchDocument(id="a", text="second", vector=None),
        ],
    )

    # Then
    [document] = index.get("idx", ["a"])
    assert (document.text, document.vector) == ("second", None)
    assert index.search("idx", vector=[1.0, 0.0]) == []


def test_bm25_scores_follow_lucenes_formula(tmp_path: Path) -> None:
    # Given: three documents; "card" in two of them, "blocked" in one
    index = LocalSearchIndex(tmp_path)
    index.ensure_index("idx")
    texts = {"a": "card blocked card", "b": "card works", "c": "money transfer abroad today"}
    index.upsert("idx", [SearchDocument(id=id_, text=text) for id_, text in texts.items()])
    lengths = {"a": 3, "b": 2, "c": 4}
    average = sum(lengths.values()) / 3

    def term(tf: int, df: int, length: int) -> float:
        idf = math.log(1 + (3 - df + 0.5) / (df + 0.5))
        return idf * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * length / average))

    # When
    hits = {hit.id: hit.score for hit in index.search("idx", text="blocked card")}

    # Then
    assert hits == {
        "a": pytest.approx(term(2, 2, 3) + term(1, 1, 3), rel=1e-5),
        "b": pytest.approx(term(1, 2, 2), rel=1e-5),
    }


def test_a_large_index_answers_exact_nearest_neighbours(tmp_path: Path) -> None:
    # Given
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((5_000, 32)).astype(np.float32)
    index = LocalSearchIndex(tmp_path)
    index.ensure_index("big", dimensions=32)
    index.upsert(
        "big", [SearchDocument(id=str(row), vector=vector.tolist()) for row, vector in enumerate(vectors)]
    )
    query = rng.standard_normal(32)

    # When
    hits = index.search("big", vector=query.tolist(), k=5)

    # Then
    cosine = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    assert [hit.id for hit in hits] == [str(row) for row in np.argsort(-cosine)[:5]]


def _write_batches(root: str, start: int) -> int:
    index = LocalSearchIndex(root)
    for batch in range(40):
        index.upsert("idx", _docs(2, start=start + batch * 2))
    return index.count("idx")


def _read_repeatedly(root: str) -> int:
    index = LocalSearchIndex(root)
    seen = 0
    for _ in range(40):
        seen = max(seen, index.count("idx"))
        index.search("idx", text="cards", k=3)
    return seen


def test_processes_writing_and_reading_at_once_lose_nothing(tmp_path: Path) -> None:
    # Given
    LocalSearchIndex(tmp_path).ensure_index("idx", dimensions=4)
    context = multiprocessing.get_context("fork")

    # When
    with ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        writers = [pool.submit(_write_batches, str(tmp_path), start) for start in (0, 1_000, 2_000)]
        reader = pool.submit(_read_repeatedly, str(tmp_path))
        for future in [*writers, reader]:
            future.result(timeout=60)

    # Then
    final = LocalSearchIndex(tmp_path)
    assert final.count("idx") == 240
    assert {document.id for document in final.get("idx", ["d0", "d79", "d1000", "d2079"])} == {
        "d0",
        "d79",
        "d1000",
        "d2079",
    }
