"""Monitoring: trends per period and segment, behaviour adherence of human and AI agents, anomalies, and a
self-contained dashboard of them."""

from rehearsal.monitor.adherence import AdherenceCell, AdherenceReport, NonAdherence, measure_adherence
from rehearsal.monitor.anomalies import Anomaly, AnomalySettings, detect_anomalies
from rehearsal.monitor.dashboard import render_html, render_json, write_dashboard
from rehearsal.monitor.periods import Period, bucket_start, conversation_time
from rehearsal.monitor.report import MonitorReport, build_monitor_report
from rehearsal.monitor.series import Metric, MonitorSeries, PeriodStats, Segment, SegmentSeries, build_series
from rehearsal.monitor.stage import MonitorRequest, MonitorStageResult, monitor_stage

__all__ = [
    "AdherenceCell",
    "AdherenceReport",
    "Anomaly",
    "AnomalySettings",
    "Metric",
    "MonitorReport",
    "MonitorRequest",
    "MonitorSeries",
    "MonitorStageResult",
    "NonAdherence",
    "Period",
    "PeriodStats",
    "Segment",
    "SegmentSeries",
    "bucket_start",
    "build_monitor_report",
    "build_series",
    "conversation_time",
    "detect_anomalies",
    "measure_adherence",
    "monitor_stage",
    "render_html",
    "render_json",
    "write_dashboard",
]
