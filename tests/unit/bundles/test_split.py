from __future__ import annotations

import pytest
from pydantic import ValidationError

from rehearsal.bundles.split import Split, bucket, choose_weighted


def test_bucket_is_stable_and_in_the_unit_interval() -> None:
    # Given / When
    points = [bucket(f"c{number}") for number in range(500)]
    # Then
    assert all(0 <= point < 1 for point in points)
    assert bucket("c1") == points[1]


def test_choice_follows_the_weights() -> None:
    # Given
    weights = {"v1": 70.0, "v2": 20.0, "v3": 10.0}
    # When
    chosen = [choose_weighted(weights, f"conversation-{number}") for number in range(5000)]
    # Then
    shares = {version: chosen.count(version) / len(chosen) for version in weights}
    assert shares == pytest.approx({"v1": 0.7, "v2": 0.2, "v3": 0.1}, abs=0.025)


def test_choice_does_not_depend_on_mapping_order() -> None:
    # Given
    forward, backward = {"a": 1.0, "b": 3.0}, {"b": 3.0, "a": 1.0}
    # When / Then
    assert all(choose_weighted(forward, str(n)) == choose_weighted(backward, str(n)) for n in range(200))


def test_salt_changes_the_assignment() -> None:
    # Given
    weights = {"a": 1.0, "b": 1.0}
    # When
    plain = [choose_weighted(weights, str(n)) for n in range(200)]
    salted = [choose_weighted(weights, str(n), salt="other") for n in range(200)]
    # Then
    assert plain != salted


@pytest.mark.parametrize("weights", [{}, {"a": 0}, {"a": -1.0}], ids=["empty", "zero", "negative"])
def test_invalid_splits_are_rejected(weights: dict[str, float]) -> None:
    # Given / When / Then
    with pytest.raises(ValidationError):
        Split(weights=weights)


def test_shares_are_normalised() -> None:
    # Given / When
    shares = Split(weights={"b": 1, "a": 3}).shares()
    # Then
    assert shares == {"a": 0.75, "b": 0.25}
