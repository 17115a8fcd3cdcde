from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rehearsal.llm.retry import RetryPolicy, parse_retry_after


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "Thu, 26 Nov 2026 12:00:03 GMT"}, 3.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    # Given
    now = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
    # When
    seconds = parse_retry_after(headers, now=now)
    # Then
    assert seconds == expected


def test_backoff_grows_and_is_capped() -> None:
    # Given
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=4.0, seed=1)
    # When
    delays = [[policy.delay_s(retry) for _ in range(200)] for retry in range(5)]
    # Then: full jitter stays under the exponential ceiling, capped at max_delay_s
    for retry, samples in enumerate(delays):
        assert min(samples) >= 0 and max(samples) <= min(4.0, 2**retry)
    assert max(delays[2]) > max(delays[0])


def test_retry_after_wins_over_backoff_but_is_capped() -> None:
    # Given
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=5.0)
    # When / Then
    assert policy.delay_s(0, retry_after_s=3.0) == 3.0
    assert policy.delay_s(0, retry_after_s=60.0) == 5.0


def test_jitter_is_seeded() -> None:
    # Given / When
    first = [RetryPolicy(seed=7).delay_s(3) for _ in range(3)]
    second = [RetryPolicy(seed=7).delay_s(3) for _ in range(3)]
    # Then
    assert first == second
