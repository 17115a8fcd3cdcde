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
    # Given nine weeks of Poisson(60) traffic with a tripled day 45 and an outage on day 50
    volumes = _volumes(np.random.default_rng(1), 63, 60)
    volumes[45], volumes[50] = 180, 5
    # When
    found = detect_anomalies(
        overall_series([volume_point(d, v) for d, v in enumerate(volumes)]), None, SETTINGS
    )
    # Then
    assert [(a.period, a.direction) for a in found] == [
        (DAY0 + timedelta(days=45), Direction.UP),
        (DAY0 + timedelta(days=50), Direction.DOWN),
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


def test_quiet_weekends_are_not_anomalies() -> None:
    # Given ten weeks of Poisson(100) weekdays and Poisson(30) weekends
    rng = np.random.default_rng(2)
    volumes = [int(rng.poisson(30 if day % 7 >= 5 else 100)) for day in range(70)]
    # When
    found = detect_anomalies(
        overall_series([volume_point(d, v) for d, v in enumerate(volumes)]), None, SETTINGS
    )
    # Then each day is compared with the same weekday: nothing stands out
    assert found == []


def test_no_period_is_tested_before_the_window_is_long_enough() -> None:
    # Given a spike on day 30, when only four earlier days of its weekday exist (five are needed)
    volumes = [50] * 35
    volumes[30] = 500
    # When
    found = detect_anomalies(
        overall_series([volume_point(d, v) for d, v in enumerate(volumes)]), None, SETTINGS
    )
    # Then
    assert found == []


def test_small_volumes_are_not_flagged() -> None:
    # Given a quiet segment (1 to 3 a day for eight weeks) that has 9 one day
    volumes = [1 + day % 3 for day in range(56)] + [9]
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


def test_a_flagged_period_is_left_out_of_later_baselines() -> None:
    # Given 1000 conversations a day at 10 % escalation, with three days at 60 % in the middle
    points = [rate_point(d, 1000, 600 if d in (20, 21, 22) else 100) for d in range(30)]
    # When
    found = detect_anomalies(overall_series(points), None, SETTINGS)
    # Then only the spike is flagged: the ordinary days after it are not "drops" against a polluted baseline
    flagged = {(a.period - DAY0).days for a in found if a.metric == "escalation_rate"}
    assert flagged == {20, 21, 22}


def test_a_lasting_change_is_learned_and_stops_alarming() -> None:
    # Given 1000 conversations a day whose escalation moves for good from 10 % to 20 % on day 20
    points = [rate_point(d, 1000, 200 if d >= 20 else 100) for d in range(120)]
    # When
    found = detect_anomalies(overall_series(points), None, SETTINGS)
    # Then the change is flagged from its first day, and no longer once it is the new normal
    flagged = sorted((a.period - DAY0).days for a in found if a.metric == "escalation_rate")
    assert flagged[0] == 20 and flagged[-1] < 90
