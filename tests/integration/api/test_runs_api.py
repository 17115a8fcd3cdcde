"""Run routes: start (idempotent), status, results, report, compare — on the local orchestrator."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from chalice.test import Client

from rehearsal.pipeline.archive import RunArchive
from rehearsal.service.api import context

from .support import EXAMPLE, body, post, push


def _run_body(suite: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "bundle": "acme-retail",
        "version": overrides.pop("version", "v2"),
        "suite": suite,
        "options": {"trials": 1, "tool_search_paths": [str(EXAMPLE)], **overrides},
    }


def _start_and_wait(client: Client, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    response = post(client, "/runs", payload, headers)
    started = body(response)
    if response.status_code == 202:
        context.launcher().wait(started["execution_id"], timeout=120)  # type: ignore[attr-defined]
    return response


@pytest.fixture
def labelled(client: Client) -> Client:
    """v1 and v2 of the example pushed with labels of the same names."""
    for version in ("v1", "v2"):
        client.http.post(
            f"/bundles?label={version}",
            body=(EXAMPLE / f"bundle.{version}.yaml").read_bytes(),
            headers={"content-type": "application/x-yaml"},
        )
    return client


def test_started_run_completes_and_reports_its_status(
    labelled: Client, suite_snapshot: dict[str, Any]
) -> None:
    # Given a run started on v2
    response = _start_and_wait(labelled, _run_body(suite_snapshot))
    started = body(response)

    # When asking for its status
    status = body(labelled.http.get(f"/runs/{started['run_id']}"))

    # Then it was accepted and ran to its gate on the local orchestrator
    assert response.status_code == 202 and response.headers["Location"] == f"/runs/{started['run_id']}"
    assert status["run"]["status"] == "gated"
    assert status["execution"]["state"] == "SUCCEEDED"
    assert status["run"]["item_count"] >= 3  # three scenarios (and the suite's turn tests), one trial each


def test_results_list_every_item_with_its_verdict(labelled: Client, suite_snapshot: dict[str, Any]) -> None:
    started = body(_start_and_wait(labelled, _run_body(suite_snapshot)))

    results = body(labelled.http.get(f"/runs/{started['run_id']}/results"))

    scenario_ids = {scenario["id"] for scenario in suite_snapshot["scenarios"]}
    assert scenario_ids <= {item["scenario_id"] for item in results["items"]}
    assert all(
        item["verdict"] in {"pass", "fail", "inconclusive_simulator", "errored"} for item in results["items"]
    )
    assert results["aggregate"]["items"] >= len(scenario_ids)


def test_same_idempotency_key_starts_one_run(labelled: Client, suite_snapshot: dict[str, Any]) -> None:
    # Given a run started with a key
    headers = {"Idempotency-Key": "release-42"}
    first = body(_start_and_wait(labelled, _run_body(suite_snapshot), headers))

    # When starting it again with the same key
    again = post(labelled, "/runs", _run_body(suite_snapshot), headers)

    # Then nothing new starts: same run, same execution
    assert again.status_code == 200
    assert body(again)["already_started"] is True
    assert (body(again)["run_id"], body(again)["execution_id"]) == (first["run_id"], first["execution_id"])


def test_compare_with_an_explicit_baseline_lists_scenario_changes(
    labelled: Client, suite_snapshot: dict[str, Any]
) -> None:
    before = body(_start_and_wait(labelled, _run_body(suite_snapshot, version="v1")))
    after = body(_start_and_wait(labelled, _run_body(suite_snapshot, version="v2")))

    response = labelled.http.get(f"/runs/{after['run_id']}/compare?with={before['run_id']}")

    assert response.status_code == 200
    comparison = body(response)
    assert comparison["baseline"] == before["run_id"] and comparison["candidate"] == after["run_id"]
    scenario_ids = {scenario["id"] for scenario in suite_snapshot["scenarios"]}
    assert scenario_ids <= {change["scenario_id"] for change in comparison["scenarios"]}


def test_compare_without_a_green_run_is_a_404(labelled: Client, suite_snapshot: dict[str, Any]) -> None:
    started = body(_start_and_wait(labelled, _run_body(suite_snapshot, version="v1")))

    response = labelled.http.get(f"/runs/{started['run_id']}/compare")

    assert response.status_code == 404


def test_report_is_served_as_html_once_written(labelled: Client, suite_snapshot: dict[str, Any]) -> None:
    # Given a finished run with its report artefact
    started = body(_start_and_wait(labelled, _run_body(suite_snapshot)))
    archive = RunArchive(context.stores())
    archive.write_once(archive.artefact_key(started["run_id"], "report.html"), b"<html>report</html>")

    # When fetching the report
    response = labelled.http.get(f"/runs/{started['run_id']}/report")

    # Then it is the HTML
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.body == b"<html>report</html>"


def test_report_is_rendered_from_the_archive_when_none_was_written(
    labelled: Client, suite_snapshot: dict[str, Any]
) -> None:
    started = body(_start_and_wait(labelled, _run_body(suite_snapshot)))

    response = labelled.http.get(f"/runs/{started['run_id']}/report")

    assert response.status_code == 200
    html = response.body.decode()
    assert html.lstrip().lower().startswith("<!doctype html") and started["run_id"] in html


@pytest.mark.parametrize(
    "path", ["/runs/nope", "/runs/nope/results", "/runs/nope/report", "/runs/nope/compare"]
)
def test_unknown_run_is_a_404(client: Client, path: str) -> None:
    response = client.http.get(path)

    assert response.status_code == 404
    assert body(response)["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda b: b["options"].update(trials=0), "body.options.trials"),
        (lambda b: b.pop("suite"), "body.suite"),
        (lambda b: b["suite"].pop("hash"), "body.suite.hash"),
        (lambda b: b.update(version="not a selector"), "body.version"),
    ],
)
def test_start_with_a_bad_body_is_a_400_naming_the_field(
    labelled: Client, suite_snapshot: dict[str, Any], change: Any, path: str
) -> None:
    payload = _run_body(copy.deepcopy(suite_snapshot))
    change(payload)

    response = post(labelled, "/runs", payload)

    assert response.status_code == 400
    assert path in [detail["path"] for detail in body(response)["error"]["details"]]


def test_start_with_a_suite_that_does_not_fit_the_bundle_is_a_400(
    labelled: Client, suite_snapshot: dict[str, Any]
) -> None:
    # Given a scenario requiring a tool the bundle does not declare
    payload = _run_body(copy.deepcopy(suite_snapshot))
    payload["suite"]["scenarios"][0]["expect"]["tool_calls"] = [{"tool": "launch_rocket"}]

    # When starting the run
    response = post(labelled, "/runs", payload)

    # Then it is rejected before anything runs
    assert response.status_code == 400
    assert body(response)["error"]["code"] == "invalid_suite"
    assert "launch_rocket" in response.body.decode()


def test_start_on_a_bundle_without_a_live_version_is_a_404(
    client: Client, suite_snapshot: dict[str, Any]
) -> None:
    push(client)

    response = post(client, "/runs", _run_body(suite_snapshot, version="live"))

    assert response.status_code == 404
