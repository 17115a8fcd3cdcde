"""The two tests behind anomalies: a robust z-score against a trailing window, and a two-proportion z-test."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MAD_SCALE = 0.6745
"""Φ⁻¹(0.75): for normal data the MAD is 0.6745 σ, so 0.6745·(x − median)/MAD reads like a z-score
(Iglewicz & Hoaglin, 1993, the "modified z-score")."""

MEAN_AD_SCALE = math.sqrt(2 / math.pi)
"""For normal data the mean absolute deviation is √(2/π) σ ≈ 0.798 σ: the scale used when more than half the
window sits on the median (MAD = 0), as in the usual modified-z fallback (1.2533 · MeanAD)."""


IQR_SCALE = 1.349
"""For normal data the interquartile range is 1.349 σ: a spread estimate the tail of a skewed metric (a few
very long handle times) does not blow up."""


def mean_standard_error(values: Sequence[float]) -> float:
    """σ/√n of a sample mean; 0 for fewer than two values."""
    return statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0


def median_standard_error(values: Sequence[float]) -> float:
    """The large-sample standard error of a median, √(π/2)·σ/√n, with σ from the interquartile range."""
    if len(values) < 4:
        return 0.0
    first, _, third = statistics.quantiles(values, n=4)
    return (third - first) / IQR_SCALE / MEAN_AD_SCALE / math.sqrt(len(values))


@dataclass(frozen=True, slots=True)
class Score:
    z: float
    baseline: float


def robust_z(value: float, window: Sequence[float], *, min_scale: float = 0.0) -> Score | None:
    """``value`` against the window's median, scaled by the MAD (or the mean absolute deviation when the MAD
    is 0), never below ``min_scale``. None when the window is empty or has no spread at all."""
    if not window:
        return None
    median = statistics.median(window)
    deviations = [abs(x - median) for x in window]
    scale = statistics.median(deviations) / MAD_SCALE
    if scale == 0:
        scale = statistics.fmean(deviations) / MEAN_AD_SCALE
    # The median itself is uncertain (its variance is about π/2·σ²/n for n window points): the period is
    # compared with an estimate, not with the true level.
    scale = max(scale, min_scale) * math.sqrt(1 + math.pi / (2 * len(window)))
    if scale == 0:
        return None
    return Score(z=(value - median) / scale, baseline=median)


def two_proportion_z(
    successes: int, trials: int, baseline_successes: int, baseline_trials: int
) -> Score | None:
    """The period's proportion against the baseline's pooled proportion, under H0 that both share one rate.
    None when either side is empty or the pooled proportion is 0 or 1 (no variation to test against)."""
    if trials <= 0 or baseline_trials <= 0:
        return None
    pooled = (successes + baseline_successes) / (trials + baseline_trials)
    variance = pooled * (1 - pooled) * (1 / trials + 1 / baseline_trials)
    if variance <= 0:
        return None
    baseline = baseline_successes / baseline_trials
    return Score(z=(successes / trials - baseline) / math.sqrt(variance), baseline=baseline)
