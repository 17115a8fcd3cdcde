"""Drift watch routes: watch an agent on a regression suite, list, unwatch, read its drift history."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from rehearsal.service.api import context
from rehearsal.service.drift import DriftFinding, record_drift

from .support import body, push


def _watch(client: Client, suite: dict[str, Any], name: str = "acme-retail") -> Any:
    payload = {"suite": suite, "options": {"trials": 2}}
    return client.http.put(
        f"/watched/{name}", body=json.dumps(payload).encode(), headers={"content-type": "application/json"}
    )


def test_watched_agent_is_listed_with_its_stored_suite(
    client: Client, suite_snapshot: dict[str, Any]
) -> None:
    # Given a pushed agent / When watching it
    push(client)
    response = _watch(client, suite_snapshot)

    # Then it is listed, and its suite is stored where the drift check reads it
    assert response.status_code == 200
    [watched] = body(client.http.get("/watched"))
    assert watched["bundle_name"] == "acme-retail" and watched["options"]["trials"] == 2
    stored = json.loads(context.stores().blobs.get(watched["suite_key"]))
    assert stored["hash"] == suite_snapshot["hash"]


def test_watching_an_agent_that_was_never_pushed_is_a_404(
    client: Client, suite_snapshot: dict[str, Any]
) -> None:
    response = _watch(client, suite_snapshot, name="nobody")

    assert response.status_code == 404


def test_unwatched_agent_leaves_the_list(client: Client, suite_snapshot: dict[str, Any]) -> None:
    push(client)
    _watch(client, suite_snapshot)

    response = client.http.delete("/watched/acme-retail")

    assert response.status_code == 204
    assert body(client.http.get("/watched")) == []


def test_drift_history_lists_recorded_regressions(client: Client) -> None:
    finding = DriftFinding(agent="acme-retail", run_id="drift-1", regressed=True, reasons=["gates failed"])
    record_drift(finding, context.stores())

    history = body(client.http.get("/watched/acme-retail/drift"))

    assert [(entry["run_id"], entry["reasons"]) for entry in history] == [("drift-1", ["gates failed"])]


def test_watch_with_a_bad_name_is_a_400_naming_the_path(
    client: Client, suite_snapshot: dict[str, Any]
) -> None:
    response = _watch(client, suite_snapshot, name="-bad")

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["path"] == "path.bundle"
