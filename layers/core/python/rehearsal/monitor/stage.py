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
    folder = f"monitor/{request.corpus}/{request.period.value}/{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
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
