"""The monitoring report: series, adherence and anomalies of one corpus, as one document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.evaluate.behaviours import CompiledBehaviours
from rehearsal.insights.conversation import Conversation
from rehearsal.monitor.adherence import AdherenceReport, measure_adherence
from rehearsal.monitor.anomalies import Anomaly, AnomalySettings, detect_anomalies
from rehearsal.monitor.periods import Period
from rehearsal.monitor.series import MonitorSeries, build_series


class MonitorReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    generated_at: AwareDatetime
    source: str = Field(description="The corpus name or file the conversations came from.")
    period: Period
    settings: AnomalySettings
    series: MonitorSeries
    adherence: AdherenceReport | None = Field(None, description="Present when behaviours were given.")
    anomalies: list[Anomaly]
    skipped_records: list[str] = Field(
        default_factory=list, description="Input records that could not be read: `place: reason`."
    )


def build_monitor_report(
    conversations: Sequence[Conversation],
    *,
    period: Period,
    source: str,
    topics: Mapping[str, str] | None = None,
    behaviours: CompiledBehaviours | None = None,
    settings: AnomalySettings | None = None,
    skipped_records: Sequence[str] = (),
    now: datetime | None = None,
) -> MonitorReport:
    settings = settings or AnomalySettings.for_period(period)
    series = build_series(conversations, period, topics)
    adherence = measure_adherence(conversations, behaviours, period) if behaviours is not None else None
    return MonitorReport(
        generated_at=now or datetime.now(UTC),
        source=source,
        period=period,
        settings=settings,
        series=series,
        adherence=adherence,
        anomalies=detect_anomalies(series, adherence, settings),
        skipped_records=list(skipped_records),
    )
