"""The rules all search adapters share: normalisation, hybrid mixing and filter matching."""

from __future__ import annotations

from typing import Any

import pytest

from rehearsal.storage.ports import SearchHit
from rehearsal.storage.search_contract import fuse, hybrid_pool, matches, min_max


def _hits(**scores: float) -> list[SearchHit]:
    return [SearchHit(id=id_, score=score) for id_, score in scores.items()]


def test_min_max_maps_the_range_onto_zero_to_one() -> None:
    # When / Then
    assert min_max(_hits(a=2.0, b=4.0, c=3.0)) == {"a": 0.0, "b": 1.0, "c": 0.5}


def test_min_max_of_equal_scores_gives_one() -> None:
    # When / Then
    assert min_max(_hits(a=0.7, b=0.7)) == {"a": 1.0, "b": 1.0}


def test_fuse_mixes_by_weight_and_counts_a_missing_side_as_zero() -> None:
    # Given
    text = _hits(a=10.0, b=5.0, c=0.0)
    vector = _hits(b=0.9, d=0.1)

    # When
    hits = fuse(text, vector, text_weight=0.25, k=10)

    # Then
    assert [(hit.id, hit.score) for hit in hits] == [("b", 0.875), ("a", 0.25), ("c", 0.0), ("d", 0.0)]


def test_fuse_keeps_k_and_breaks_ties_by_id() -> None:
    # When
    hits = fuse(_hits(z=1.0, y=1.0, x=1.0), [], text_weight=1.0, k=2)

    # Then
    assert [hit.id for hit in hits] == ["x", "y"]


def test_the_hybrid_pool_grows_with_k() -> None:
    # When / Then
    assert (hybrid_pool(1), hybrid_pool(100)) == (50, 400)


@pytest.mark.parametrize(
    ("fields", "filters", "expected"),
    [
        ({"topic": "cards"}, {"topic": "cards"}, True),
        ({"topic": "cards"}, {"topic": "loans"}, False),
        ({"topic": "cards"}, {"topic": ["loans", "cards"]}, True),
        ({"tags": ["a", "b"]}, {"tags": "b"}, True),
        ({"tags": ["a", "b"]}, {"tags": ["c"]}, False),
        ({}, {"topic": "cards"}, False),
        ({"n": 1}, {"n": True}, False),
        ({"n": 1}, {"n": 1.0}, True),
        ({"topic": "cards", "lang": "en"}, {"topic": "cards", "lang": "de"}, False),
    ],
)
def test_matches_is_equality_with_any_of_semantics(
    fields: dict[str, Any], filters: dict[str, Any], expected: bool
) -> None:
    # When / Then
    assert matches(fields, filters) is expected
