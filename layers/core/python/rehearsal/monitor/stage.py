"""Monitoring as a pipeline stage, for a scheduled check: read a stored corpus (and behaviours from the
BlobStore), build the report, and store the dashboard and its JSON under ``monitor/<corpus>/<period>/``.

Returns keys and counts, never transcripts, like every stage.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from rehearsal.evaluate.behaviours import compile_behaviours, parse_behaviours
from rehearsal.insights.corpus import iter_corpus
from rehearsal.insights.stages import CorpusName
from rehearsal.monitor.dashboard import HTML_FILE, JSON_FILE, render_html, render_json
from rehearsal.monitor.periods import Period
from rehearsal.monitor.report import build_monitor_report
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import BlobStore


class MonitorRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Literal["monitor"] = "monitor"
    corpus: CorpusName
    period: Period = Period.DAY
    behaviours_key: str | None = Field(None, description="Blob key of a behaviours YAML: measure adherence.")


class MonitorStageResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corpus: str
    html_key: str
    json_key: str
    conversations: int = Field(ge=0)
    undated: int = Field(ge=0)
    anomalies: int = Field(ge=0, description="A scheduled check fails (or alerts) when this is above 0.")


_STAMP = "%Y%m%dT%H%M%SZ"


def _prefix(corpus: str, period: Period) -> str:
    return f"monitor/{corpus}/{period.value}/"


class StoredMonitorReport(BaseModel):
    """One stored check of a corpus: when it ran and where its dashboard and JSON are."""

    model_config = ConfigDict(extra="forbid")

    corpus: str
    period: Period
    generated_at: datetime
    html_key: str
    json_key: str


def stored_reports(blobs: BlobStore, corpus: str, period: Period) -> list[StoredMonitorReport]:
    """The checks stored for ``corpus`` and ``period``, newest first."""
    prefix = _prefix(corpus, period)
    found = []
    for key in blobs.list(prefix):
        stamp, _, name = key.removeprefix(prefix).partition("/")
        if name != JSON_FILE:
            continue
        try:
            generated_at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not a folder this stage wrote
        found.append(
            StoredMonitorReport(
                corpus=corpus,
                period=period,
                generated_at=generated_at,
                html_key=f"{prefix}{stamp}/{HTML_FILE}",
                json_key=key,
            )
        )
    return sorted(found, key=lambda report: report.generated_at, reverse=True)


def monitor_stage(
    request: MonitorRequest, stores: Stores, *, now: datetime | None = None
) -> MonitorStageResult:
    now = now or datetime.now(UTC)
    compiled = None
    if request.behaviours_key is not None:
        source = request.behaviours_key
        compiled = compile_behaviours(
            parse_behaviours(yaml.safe_load(stores.blobs.get(source)), source=source)
        )
    report = build_monitor_report(
        list(iter_corpus(stores.blobs, request.corpus)),
        period=request.period,
        source=request.corpus,
        behaviours=compiled,
        now=now,
    )
    # One folder per run, named by its time, so every scheduled check stays readable afterwards.
    folder = f"{_prefix(request.corpus, request.period)}{now.astimezone(UTC):{_STAMP}}"
    html_key, json_key = f"{folder}/{HTML_FILE}", f"{folder}/{JSON_FILE}"
    stores.blobs.put(html_key, render_html(report).encode(), content_type="text/html")
    stores.blobs.put(json_key, render_json(report).encode(), content_type="application/json")
    return MonitorStageResult(
        corpus=request.corpus,
        html_key=html_key,
        json_key=json_key,
        conversations=report.series.conversations,
        undated=report.series.undated,
        anomalies=len(report.anomalies),
    )
