from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from rehearsal.monitor.anomalies import Anomaly, AnomalySettings, Direction, Method, detect_anomalies
from rehearsal.monitor.periods import Period

from .builders import DAY0, overall_series, rate_point, volume_point

SETTINGS = AnomalySettings.for_period(Period.DAY)


def _rates(anomalies: list[Anomaly]) -> list[Anomaly]:
    return [a for a in anomalies if a.method is Method.TWO_PROPORTION_Z]


def _volumes(rng: np.random.Generator, days: int, mean: float) -> list[int]:
    return [int(v) for v in rng.poisson(mean, days)]


def test_a_planted_volume_spike_and_drop_are_found() -> None:
    # Given six weeks of Poisson(60) traffic with a tripled day 30 and an outage on day 36
    volumes = _volumes(np.random.default_rng(1), 42, 60)
    volumes[30], volumes[36] = 180, 5
    # When
    found = detect_anomalies(
        overall_series([volume_point(d, v) for d, v in enumerate(volumes)]), None, SETTINGS
    )
    # Then
    assert [(a.period, a.direction) for a in found] == [
        (DAY0 + timedelta(days=30), Direction.UP),
        (DAY0 + timedelta(days=36), Direction.DOWN),
    ]
    assert found[0].method is Method.ROBUST_Z and found[0].baseline == pytest.approx(60, abs=6)


@pytest.mark.parametrize("seed", range(5))
def test_stationary_noise_raises_few_flags(seed: int) -> None:
    # Given 120 days of stationary volume and a stationary 10 % escalation rate
    rng = np.random.default_rng(seed)
    volumes = _volumes(rng, 120, 80)
    points = [rate_point(d, n, int(rng.binomial(n, 0.1))) for d, n in enumerate(volumes)]
    # When
    found = detect_anomalies(overall_series(points), None, SETTINGS)
    # Then at most one false alarm over ~200 tests (p ≈ 5e-4 each)
    assert len(found) <= 1, found


def test_no_period_is_tested_before_the_window_is_long_enough() -> None:
    # Given a spike on day 10, before min_window (14) periods exist
    volumes = [50] * 20
    volumes[10] = 500
    # When
    found = detect_anomalies(
        overall_series([volume_point(d, v) for d, v in enumerate(volumes)]), None, SETTINGS
    )
    # Then
    assert found == []


def test_small_volumes_are_not_flagged() -> None:
    # Given a quiet segment (2 a day) that has 8 one day
    volumes = [2, 1, 3, 2, 2, 1, 2, 3, 2, 2, 1, 2, 2, 3, 2, 2, 8]
    # When
    found = detect_anomalies(
        overall_series([volume_point(d, v) for d, v in enumerate(volumes)]), None, SETTINGS
    )
    # Then
    assert found == []


def test_a_rate_change_on_tiny_counts_is_not_flagged() -> None:
    # Given a steady 10 % escalation over 100 a day, then a day where all 4 conversations escalate
    points = [rate_point(d, 100, 10) for d in range(20)] + [rate_point(20, 4, 4)]
    # When
    found = detect_anomalies(overall_series(points), None, SETTINGS)
    # Then no rate is flagged (the volume drop is, rightly)
    assert _rates(found) == []


def test_a_rate_spike_with_enough_conversations_is_flagged_with_its_escalated_evidence() -> None:
    # Given a steady 10 % escalation over 100 a day, then 30 of 100
    points = [rate_point(d, 100, 10) for d in range(20)] + [rate_point(20, 100, 30)]
    # When
    found = detect_anomalies(overall_series(points), None, SETTINGS)
    # Then the escalation rise is found (and the mirror-image drop in resolution)
    spike = next(a for a in found if a.metric == "escalation_rate")
    assert (spike.period, spike.direction, spike.method) == (
        DAY0 + timedelta(days=20),
        Direction.UP,
        Method.TWO_PROPORTION_Z,
    )
    assert spike.value == 0.3 and spike.baseline == pytest.approx(0.1) and spike.score > 3.5
    assert spike.sample == 100 and spike.baseline_sample == 2000
    assert spike.evidence == ["e20-0", "e20-1", "e20-2"]
    assert {a.metric for a in found} == {"escalation_rate", "resolution_rate"}


def test_a_rate_needs_enough_conversations_in_the_baseline_too() -> None:
    # Given a baseline of 14 days of 5 conversations (70 < 100) and a big change after
    points = [rate_point(d, 5, 0) for d in range(14)] + [rate_point(14, 50, 40)]
    # When / Then no rate is flagged (the volume rise is, rightly)
    assert _rates(detect_anomalies(overall_series(points), None, SETTINGS)) == []
