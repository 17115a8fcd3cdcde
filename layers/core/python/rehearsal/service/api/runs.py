"""Run routes: start, status, results, HTML report, compare."""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import BaseModel, ConfigDict, Field

from rehearsal.evaluate.compare import RunComparison
from rehearsal.service.api.context import launcher, parse_body, parse_query, stores
from rehearsal.service.api.routing import ApiBlueprint
from rehearsal.service.runs import (
    RunResults,
    RunStarted,
    RunView,
    StartRun,
    compare_with,
    run_report_html,
    run_results,
    run_view,
    start_run,
)

runs = ApiBlueprint(__name__)


class CompareQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    with_: str | None = Field(None, alias="with", min_length=1, max_length=200)


@runs.route("/runs", methods=["POST"], body=StartRun, returns=RunStarted)
def start() -> Any:
    """Start a run (202). With an ``Idempotency-Key`` header (or body field) a repeat starts nothing."""
    request = runs.current_request
    body = parse_body(request, StartRun)
    started: RunStarted = start_run(
        body, stores(), launcher(), idempotency_key=request.headers.get("idempotency-key")
    )
    return Response(
        body=started.model_dump(mode="json"),
        status_code=200 if started.already_started else 202,
        headers={"Location": f"/runs/{started.run_id}"},
    )


@runs.route("/runs/{run_id}", methods=["GET"])
def status(run_id: str) -> RunView:
    return run_view(run_id, stores(), launcher())


@runs.route("/runs/{run_id}/results", methods=["GET"])
def results(run_id: str) -> RunResults:
    return run_results(run_id, stores())


@runs.route("/runs/{run_id}/report", methods=["GET"])
def report(run_id: str) -> Response:
    """The run's self-contained HTML report (the archived one, else rendered from the archive)."""
    return Response(
        body=run_report_html(run_id, stores()),
        status_code=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


@runs.route("/runs/{run_id}/compare", methods=["GET"], query=CompareQuery)
def compare(run_id: str) -> RunComparison:
    """Compare with ``?with=<run id>``, by default the bundle's last green run."""
    query = parse_query(runs.current_request, CompareQuery)
    return compare_with(run_id, stores(), baseline_run_id=query.with_)
