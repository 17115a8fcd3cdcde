"""Drift watch routes: which agents the scheduled drift check reruns, on which suite, and what it found."""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import BaseModel, ConfigDict, Field

from rehearsal.pipeline.events import RunOptions
from rehearsal.pipeline.snapshot import SuiteSnapshot
from rehearsal.service.api.context import bundle_store, parse_body, path_param, stores
from rehearsal.service.api.routing import ApiBlueprint
from rehearsal.service.drift import (
    BundleName,
    DriftFinding,
    WatchedAgent,
    drift_history,
    unwatch_agent,
    watch_with_suite,
    watched_agents,
)

watch = ApiBlueprint(__name__)


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suite: SuiteSnapshot = Field(description="The regression suite the live bundle is rerun against.")
    options: RunOptions = Field(default_factory=RunOptions)


@watch.route("/watched", methods=["GET"])
def list_watched() -> list[WatchedAgent]:
    return watched_agents(stores())


@watch.route("/watched/{bundle}", methods=["PUT"], body=WatchIn)
def watch_agent(bundle: str) -> WatchedAgent:
    """Watch an agent: every scheduled drift check reruns its live version against this suite."""
    name = path_param(bundle, BundleName, "bundle")
    body = parse_body(watch.current_request, WatchIn)
    bundle_store().list(name)  # 404 for an agent that was never pushed
    return watch_with_suite(name, body.suite, stores(), options=body.options)


@watch.route("/watched/{bundle}", methods=["DELETE"])
def unwatch(bundle: str) -> Any:
    unwatch_agent(path_param(bundle, BundleName, "bundle"), stores())
    return Response(body="", status_code=204)


@watch.route("/watched/{bundle}/drift", methods=["GET"])
def drift(bundle: str) -> list[DriftFinding]:
    """The regressions the drift check recorded for this agent."""
    return drift_history(path_param(bundle, BundleName, "bundle"), stores())
