from __future__ import annotations

import math

import pytest

from rehearsal.monitor.stats import (
    mean_standard_error,
    median_standard_error,
    robust_z,
    two_proportion_z,
)


def test_robust_z_scales_the_distance_from_the_median_by_the_mad() -> None:
    # Given a window with median 10 and MAD 1
    window = [8.0, 9.0, 10.0, 11.0, 12.0, 9.0, 11.0]
    # When
    score = robust_z(16.0, window)
    # Then z = 0.6745 · 6 / 1, widened by the median's own uncertainty
    assert score is not None and score.baseline == 10.0
    assert score.z == pytest.approx(0.6745 * 6 / math.sqrt(1 + math.pi / (2 * len(window))))


def test_robust_z_falls_back_to_the_mean_absolute_deviation_when_the_mad_is_zero() -> None:
    # Given a window mostly on its median
    window = [5.0, 5.0, 5.0, 5.0, 9.0]
    # When
    score = robust_z(9.0, window)
    # Then the scale is MeanAD / 0.798 (0.8 / 0.798 ≈ 1.0), not zero
    assert score is not None and 3.0 < score.z < 4.0


@pytest.mark.parametrize("window", [[], [3.0, 3.0, 3.0]])
def test_robust_z_is_none_without_spread_or_data(window: list[float]) -> None:
    # Given / When / Then
    assert robust_z(4.0, window) is None


def test_robust_z_never_scales_below_the_floor() -> None:
    # Given a perfectly steady window and a floor of 2
    score = robust_z(14.0, [10.0] * 10, min_scale=2.0)
    # Then z is at most 4 / 2
    assert score is not None and score.z < 2.0


def test_two_proportion_z_matches_the_pooled_formula() -> None:
    # Given 30 of 100 against 100 of 1000
    score = two_proportion_z(30, 100, 100, 1000)
    # When / Then
    pooled = 130 / 1100
    expected = (0.3 - 0.1) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 1000))
    assert score is not None and score.baseline == 0.1
    assert score.z == pytest.approx(expected)


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0"), [(0, 0, 5, 50), (3, 10, 0, 0), (0, 10, 0, 100), (5, 5, 9, 9)]
)
def test_two_proportion_z_is_none_when_it_cannot_test(x1: int, n1: int, x0: int, n0: int) -> None:
    # Given an empty side or no variation / When / Then
    assert two_proportion_z(x1, n1, x0, n0) is None


def test_standard_errors_shrink_with_the_square_root_of_n() -> None:
    # Given the same spread at 4× the size
    small, large = [1.0, 2.0, 3.0, 4.0] * 5, [1.0, 2.0, 3.0, 4.0] * 20
    # When / Then
    assert mean_standard_error(large) == pytest.approx(mean_standard_error(small) / 2, rel=0.05)
    assert median_standard_error(large) == pytest.approx(median_standard_error(small) / 2, rel=0.1)
    assert mean_standard_error([1.0]) == 0.0 and median_standard_error([1.0, 2.0]) == 0.0
