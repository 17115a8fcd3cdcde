from __future__ import annotations

import pytest

from rehearsal.evaluate.stats import pass_hat_k, pass_hat_k_task, wilson_interval


@pytest.mark.parametrize(
    ("trials", "successes", "k", "expected"),
    [(4, 4, 1, 1.0), (4, 2, 1, 0.5), (4, 2, 2, 1 / 6), (4, 3, 2, 0.5), (4, 3, 4, 0.0), (5, 4, 3, 0.4)],
)
def test_pass_hat_k_of_one_task_is_c_choose_k_over_n_choose_k(trials, successes, k, expected):
    # Given n trials with c successes / When / Then
    assert pass_hat_k_task(trials, successes, k) == pytest.approx(expected)


def test_pass_hat_k_averages_over_tasks_and_skips_those_with_too_few_trials():
    # Given two tasks with 4 trials (4 and 2 successes) and one with a single trial
    tasks = [(4, 4), (4, 2), (1, 1)]

    # When
    value = pass_hat_k(tasks, 2)

    # Then: (1 + 1/6) / 2; the single-trial task is left out
    assert value == pytest.approx((1 + 1 / 6) / 2)


def test_pass_hat_k_is_none_when_no_task_has_k_trials():
    assert pass_hat_k([(2, 2)], 3) is None


@pytest.mark.parametrize(("trials", "successes", "k"), [(4, 5, 1), (4, 2, 0), (2, 1, 3)])
def test_pass_hat_k_rejects_impossible_counts(trials, successes, k):
    with pytest.raises(ValueError):
        pass_hat_k_task(trials, successes, k)


def test_wilson_interval_matches_the_textbook_value():
    # Given 8 successes out of 10 / When
    low, high = wilson_interval(8, 10)

    # Then (Wilson 1927, z = 1.96)
    assert (low, high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


@pytest.mark.parametrize(("successes", "total"), [(0, 10), (10, 10)])
def test_wilson_interval_stays_inside_zero_one_at_the_extremes(successes, total):
    low, high = wilson_interval(successes, total)
    assert 0.0 <= low < high <= 1.0


def test_wilson_interval_without_data_is_uninformative():
    assert wilson_interval(0, 0) == (0.0, 1.0)
