"""Anomalies: periods whose metric departs from the trailing window before them.

Counts and continuous metrics (volume, mean CSAT, median handle time) use a robust z-score against the
window's median and MAD; rates (outcome rates, behaviour adherence) use a two-proportion z-test of the
period against the window's pooled proportion. Periods with too little data on either side are not tested.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.monitor.adherence import AdherenceCell, AdherenceReport
from rehearsal.monitor.periods import Period
from rehearsal.monitor.series import (
    METRIC_KINDS,
    Metric,
    MetricKind,
    MonitorSeries,
    PeriodStats,
    SegmentSeries,
)
from rehearsal.monitor.stats import Score, robust_z, two_proportion_z


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


class Method(StrEnum):
    ROBUST_Z = "robust_z"
    TWO_PROPORTION_Z = "two_proportion_z"


class Anomaly(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = Field(description="A series metric, or `adherence:<behaviour id>`.")
    segment: str = Field(description="`overall`, `agent:<human|ai>` or `topic:<topic>`.")
    period: date
    value: float
    baseline: float = Field(description="The window's median (robust z) or pooled proportion (rates).")
    score: float = Field(description="The z-score; its sign is the direction.")
    direction: Direction
    method: Method
    sample: int = Field(ge=0, description="Conversations behind the period's value.")
    baseline_sample: int = Field(
        ge=0, description="Periods (robust z) or conversations (rates) in the window."
    )
    evidence: list[str] = Field(default_factory=list, description="Conversation ids that show the change.")


class AnomalySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window: int = Field(ge=2, description="Rates: trailing periods the pooled baseline is taken from.")
    min_window: int = Field(ge=2, description="Rates: periods the baseline needs before a period is tested.")
    season: int = Field(
        1, ge=1, description="Levels: periods per cycle; 7 for days compares a Monday with earlier Mondays."
    )
    level_window: int = Field(ge=2, description="Levels: earlier periods of the same phase in the baseline.")
    min_level_window: int = Field(ge=2, description="Levels: points the median and MAD need at least.")
    threshold: float = Field(
        3.5,
        gt=0,
        description="|z| that flags. Iglewicz–Hoaglin's cut for modified z-scores; for the proportion test "
        "it is a two-sided p of about 5e-4, which keeps the expected false alarms below one over the ~1000 "
        "period × segment × metric tests of a quarter of daily data.",
    )
    min_period: int = Field(
        20,
        ge=1,
        description="Conversations behind a period's rate before it is tested: below 20 one conversation "
        "moves the rate by 5 points or more.",
    )
    min_baseline: int = Field(
        100, ge=1, description="Conversations in the window behind the pooled proportion (5 × min_period)."
    )
    min_values: int = Field(
        10,
        ge=1,
        description="Conversations behind a period's volume, mean or median before it is tested or used as a "
        "baseline point: a mean of fewer ratings is mostly noise.",
    )

    @classmethod
    def for_period(cls, period: Period) -> AnomalySettings:
        if period is Period.DAY:
            # Rates pool four weeks, so each weekday weighs the same; two weeks at least. Volume, CSAT and
            # handle time follow the week (quiet weekends), so a day is compared with the same weekday of the
            # last eight weeks, five at least: fewer and the MAD is mostly luck.
            return cls(window=28, min_window=14, season=7, level_window=8, min_level_window=5)
        # A quarter of weeks; six at least (fewer and one odd week is a sixth of the baseline).
        return cls(window=13, min_window=6, level_window=13, min_level_window=6)


def detect_anomalies(
    series: MonitorSeries, adherence: AdherenceReport | None, settings: AnomalySettings
) -> list[Anomaly]:
    """Every flagged period, by period then by strength."""
    found: list[Anomaly] = []
    for segment_series in series.segments:
        for metric in Metric:
            found.extend(_metric_anomalies(segment_series, metric, settings))
    if adherence is not None:
        found.extend(_adherence_anomalies(adherence, series.periods, settings))
    return sorted(found, key=lambda a: (a.period, -abs(a.score), a.metric, a.segment))


def _metric_anomalies(series: SegmentSeries, metric: Metric, settings: AnomalySettings) -> list[Anomaly]:
    found = []
    flagged = _Flagged(settings.min_window)
    for index, point in enumerate(series.points):
        if METRIC_KINDS[metric] is MetricKind.RATE:
            window = [series.points[i] for i in _baseline(index, 1, settings.window, flagged)]
            tested = _rate_test(
                point.successes(metric),
                point.sample_size(metric),
                [(p.successes(metric), p.sample_size(metric)) for p in window],
                settings,
            )
        else:
            window = [
                series.points[i] for i in _baseline(index, settings.season, settings.level_window, flagged)
            ]
            tested = _level_test(point, window, metric, settings)
        flagged.record(index, tested is not None)
        if tested is not None:
            score, baseline_sample = tested
            direction = _direction(score)
            found.append(
                Anomaly(
                    metric=metric.value,
                    segment=str(series.segment),
                    period=point.start,
                    value=point.value(metric) or 0.0,
                    baseline=score.baseline,
                    score=score.z,
                    direction=direction,
                    method=Method.TWO_PROPORTION_Z
                    if METRIC_KINDS[metric] is MetricKind.RATE
                    else Method.ROBUST_Z,
                    sample=point.sample_size(metric),
                    baseline_sample=baseline_sample,
                    evidence=point.evidence_for(metric, direction.value),
                )
            )
    return found


class _Flagged:
    """Flagged periods, left out of later baselines: an anomaly is not learned as normal (a spike in a pooled
    baseline would make every ordinary day after it look like a drop). A run of ``learn_after`` flags in a row
    is a lasting change, not an incident: it is learned, so a new level stops alarming after a while."""

    def __init__(self, learn_after: int) -> None:
        self.learn_after = learn_after
        self.excluded: set[int] = set()
        self._run: list[int] = []

    def record(self, index: int, flagged: bool) -> None:
        if not flagged:
            self._run = []
            return
        self._run.append(index)
        self.excluded.add(index)
        if len(self._run) >= self.learn_after:
            self.excluded.difference_update(self._run)
            self._run = []


def _baseline(index: int, step: int, size: int, flagged: _Flagged) -> list[int]:
    """The latest ``size`` earlier periods ``step`` apart that are not left out."""
    return [i for i in range(index - step, -1, -step) if i not in flagged.excluded][:size]


def _level_test(
    point: PeriodStats, window: Sequence[PeriodStats], metric: Metric, settings: AnomalySettings
) -> tuple[Score, int] | None:
    value = point.value(metric)
    if metric is Metric.VOLUME:
        values = [float(p.conversations) for p in window]
        if value is None or max(value, *values, 0.0) < settings.min_values:
            return None  # a handful of conversations either side: a change is not worth an alarm
    else:
        if value is None or point.sample_size(metric) < settings.min_values:
            return None
        values = [
            v
            for p in window
            if p.sample_size(metric) >= settings.min_values and (v := p.value(metric)) is not None
        ]
    if len(values) < settings.min_level_window:
        return None
    # The spread between periods is at least the sampling noise of one period's value: σ = √mean for a count
    # (Poisson), the standard error for a mean or median. A MAD from a few weeks of points often comes out
    # smaller by chance, and a perfectly steady window must not make every small wobble an anomaly.
    if metric is Metric.VOLUME:
        floor = math.sqrt(max(statistics.median(values), 1.0))
    else:
        # The window's typical standard error, steadier than the period's own estimate of it.
        errors = [
            p.standard_errors.get(metric, 0.0) for p in window if p.sample_size(metric) >= settings.min_values
        ]
        floor = max(point.standard_errors.get(metric, 0.0), statistics.median(errors) if errors else 0.0)
    score = robust_z(value, values, min_scale=floor)
    return (score, len(values)) if score is not None and abs(score.z) >= settings.threshold else None


def _rate_test(
    successes: int, trials: int, window: Sequence[tuple[int, int]], settings: AnomalySettings
) -> tuple[Score, int] | None:
    baseline_trials = sum(n for _, n in window)
    if (
        len(window) < settings.min_window
        or trials < settings.min_period
        or baseline_trials < settings.min_baseline
    ):
        return None
    score = two_proportion_z(successes, trials, sum(x for x, _ in window), baseline_trials)
    return (score, baseline_trials) if score is not None and abs(score.z) >= settings.threshold else None


def _direction(score: Score) -> Direction:
    return Direction.UP if score.z > 0 else Direction.DOWN


def _adherence_anomalies(
    adherence: AdherenceReport, periods: Sequence[date], settings: AnomalySettings
) -> list[Anomaly]:
    """Each behaviour and agent kind as a rate series over every period (none judged: 0 of 0)."""
    found = []
    keys = sorted({(c.behaviour_id, c.agent) for c in adherence.cells})
    for behaviour_id, agent in keys:
        by_start = {c.start: c for c in adherence.cells_of(behaviour_id, agent)}
        cells = [by_start.get(start) for start in periods]
        counts = [(c.adhered, c.judged) if c else (0, 0) for c in cells]
        flagged = _Flagged(settings.min_window)
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            window = [counts[i] for i in _baseline(index, 1, settings.window, flagged)]
            tested = _rate_test(cell.adhered, cell.judged, window, settings)
            flagged.record(index, tested is not None)
            if tested is None:
                continue
            score, baseline_sample = tested
            found.append(_adherence_anomaly(cell, score, baseline_sample))
    return found


def _adherence_anomaly(cell: AdherenceCell, score: Score, baseline_sample: int) -> Anomaly:
    assert cell.start is not None and cell.adherence_rate is not None
    direction = _direction(score)
    return Anomaly(
        metric=f"adherence:{cell.behaviour_id}",
        segment=f"agent:{cell.agent}",
        period=cell.start,
        value=cell.adherence_rate,
        baseline=score.baseline,
        score=score.z,
        direction=direction,
        method=Method.TWO_PROPORTION_Z,
        sample=cell.judged,
        baseline_sample=baseline_sample,
        evidence=[e.conversation_id for e in cell.examples] if direction is Direction.DOWN else [],
    )
