"""Monitoring routes: the checks the scheduled monitor stored for a corpus, and the latest report itself."""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import BaseModel, ConfigDict

from rehearsal.insights.stages import CorpusName
from rehearsal.monitor.periods import Period
from rehearsal.monitor.report import MonitorReport
from rehearsal.monitor.stage import StoredMonitorReport, stored_reports
from rehearsal.service.api.context import parse_query, path_param, stores
from rehearsal.service.api.errors import ApiError
from rehearsal.service.api.routing import ApiBlueprint

monitor = ApiBlueprint(__name__)


class MonitorQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period = Period.DAY


def _checks(corpus: str) -> list[StoredMonitorReport]:
    name = path_param(corpus, CorpusName, "corpus")
    period = parse_query(monitor.current_request, MonitorQuery).period
    return stored_reports(stores().blobs, name, period)


@monitor.route("/monitor/{corpus}", methods=["GET"], query=MonitorQuery)
def list_checks(corpus: str) -> list[StoredMonitorReport]:
    """The stored checks of a corpus, newest first."""
    return _checks(corpus)


@monitor.route("/monitor/{corpus}/latest", methods=["GET"], query=MonitorQuery, returns=MonitorReport)
def latest(corpus: str) -> Any:
    """The newest report: series, behaviour adherence and anomalies with their evidence."""
    checks = _checks(corpus)
    if not checks:
        raise ApiError(404, "not_found", f"no monitor report for corpus {corpus!r} yet")
    return Response(
        body=stores().blobs.get(checks[0].json_key).decode(),
        status_code=200,
        headers={"content-type": "application/json"},
    )
