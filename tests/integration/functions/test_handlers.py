"""The stage handlers on moto: thin wiring around the stage functions, validation, metrics, idempotency."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rehearsal.insights.conversation import Conversation
from rehearsal.insights.corpus import save_corpus
from rehearsal.insights.ingest import IngestResult
from rehearsal.monitor.report import MonitorReport
from rehearsal.monitor.stage import MonitorStageResult
from rehearsal.pipeline.events import (
    AggregateResult,
    EvaluateResult,
    GateResult,
    PrepareResult,
    PromoteResult,
    SimulateResult,
)
from rehearsal.service.lambdas import EventValidationError, stores
from rehearsal.settings import Settings

from .support import BUCKET, EXAMPLE, LambdaContext, event, load_handler, planned_run

CONTEXT = LambdaContext()


def _metrics(output: str) -> list[dict[str, Any]]:
    """EMF blobs printed by Powertools (one JSON document per line with an ``_aws`` key)."""
    blobs = []
    for line in output.splitlines():
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if isinstance(document, dict) and "_aws" in document:
            blobs.append(document)
    return blobs


def test_one_item_goes_through_every_stage_handler(aws_settings: Settings) -> None:
    # Given a planned run in S3 and DynamoDB
    request = planned_run(aws_settings, promote=True)
    run, simulate, evaluate = (load_handler(stage) for stage in ("run", "simulate", "evaluate"))

    # When each stage handler runs in turn, as the state machine chains them
    prepared = PrepareResult.model_validate(run.prepare_handler(request.model_dump(mode="json"), CONTEXT))
    manifest = json.loads(stores().blobs.get(prepared.manifest_key))
    for ref in manifest:
        simulated = SimulateResult.model_validate(simulate.lambda_handler(ref, CONTEXT))
        EvaluateResult.model_validate(evaluate.lambda_handler(simulated.model_dump(mode="json"), CONTEXT))
    aggregated = AggregateResult.model_validate(run.aggregate_handler({"run_id": request.run_id}, CONTEXT))
    gated = GateResult.model_validate(run.gate_handler({"run_id": request.run_id}, CONTEXT))
    promoted = PromoteResult.model_validate(run.promote_handler({"run_id": request.run_id}, CONTEXT))

    # Then the run is complete, with the manifest where the Map state's ItemReader looks
    assert prepared.bucket == BUCKET and prepared.item_count == len(manifest)
    assert aggregated.items >= 3
    assert promoted.promoted is gated.passed


@pytest.mark.parametrize(
    ("stage", "handler", "name", "path"),
    [
        ("simulate", "lambda_handler", "malformed/simulate_missing_item.json", "item_id"),
        ("simulate", "lambda_handler", "malformed/simulate_bad_run_id.json", "run_id"),
        ("run", "prepare_handler", "malformed/prepare_bad_trials.json", "options.trials"),
        ("evaluate", "lambda_handler", "malformed/evaluate_unknown_field.json", "transcript"),
    ],
)
def test_malformed_event_raises_a_validation_error_naming_the_field(
    aws_settings: Settings, stage: str, handler: str, name: str, path: str
) -> None:
    # Given a malformed event / When the handler gets it / Then Lambda reports an EventValidationError
    with pytest.raises(EventValidationError) as raised:
        getattr(load_handler(stage), handler)(event(name), CONTEXT)
    assert any(problem.startswith(f"{path}:") for problem in raised.value.problems)


@pytest.mark.parametrize("payload", [[1, 2], "run", None])
def test_event_that_is_not_an_object_is_a_validation_error(aws_settings: Settings, payload: Any) -> None:
    with pytest.raises(EventValidationError, match="expected a JSON object"):
        load_handler("simulate").lambda_handler(payload, CONTEXT)


def test_recorded_failure_stores_the_item_as_errored_and_counts_it(
    aws_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a prepared run and the failure Step Functions caught for one of its items
    request = planned_run(aws_settings)
    run, evaluate = load_handler("run"), load_handler("evaluate")
    prepared = PrepareResult.model_validate(run.prepare_handler(request.model_dump(mode="json"), CONTEXT))
    item_id = json.loads(stores().blobs.get(prepared.manifest_key))[0]["item_id"]
    failure = {**event("item_failure.json"), "run_id": request.run_id, "item_id": item_id}
    capsys.readouterr()

    # When the record-failure handler runs
    result = EvaluateResult.model_validate(evaluate.record_failure_handler(failure, CONTEXT))

    # Then the item is errored with the Lambda's message, and the alarm metric counts it
    assert result.verdict == "errored"
    stored = json.loads(stores().blobs.get(result.result_key))
    assert "Task timed out after 600.00 seconds" in stored["error"]
    errored = [blob for blob in _metrics(capsys.readouterr().out) if "ItemsErrored" in blob]
    assert errored and errored[0]["ItemsErrored"] == [1.0]
    assert errored[0]["service"] == "rehearsal" and "stage" not in errored[0]


def test_recorded_failure_of_a_turn_test_keeps_the_failures_message(aws_settings: Settings) -> None:
    # Given a prepared run and a failure caught for one of its turn tests (judged inside simulate)
    request = planned_run(aws_settings)
    prepared = load_handler("run").prepare_handler(request.model_dump(mode="json"), CONTEXT)
    refs = json.loads(stores().blobs.get(prepared["manifest_key"]))
    [item_id, *_] = [ref["item_id"] for ref in refs if ref["item_id"].startswith("turn_test:")]
    failure = {**event("item_failure.json"), "run_id": request.run_id, "item_id": item_id}

    # When it is recorded
    result = load_handler("evaluate").record_failure_handler(failure, CONTEXT)

    # Then the item is errored and says why
    assert result["verdict"] == "errored"
    assert (
        "Task timed out after 600.00 seconds" in json.loads(stores().blobs.get(result["result_key"]))["error"]
    )


def test_each_stage_publishes_items_and_latency_under_its_stage(
    aws_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    request = planned_run(aws_settings)
    capsys.readouterr()

    load_handler("run").prepare_handler(request.model_dump(mode="json"), CONTEXT)

    [blob] = [blob for blob in _metrics(capsys.readouterr().out) if "Items" in blob]
    assert blob["stage"] == "prepare" and blob["Items"] == [1.0]
    assert blob["Latency"][0] > 0
    assert blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Rehearsal"


def test_evaluation_publishes_the_items_cost(
    aws_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given one simulated item
    request = planned_run(aws_settings)
    prepared = load_handler("run").prepare_handler(request.model_dump(mode="json"), CONTEXT)
    ref = json.loads(stores().blobs.get(prepared["manifest_key"]))[0]
    simulated = load_handler("simulate").lambda_handler(ref, CONTEXT)
    capsys.readouterr()

    # When it is evaluated
    result = load_handler("evaluate").lambda_handler(simulated, CONTEXT)

    # Then its cost (none for the offline engines) is on the evaluate stage's metrics
    [blob] = [blob for blob in _metrics(capsys.readouterr().out) if "CostUSD" in blob]
    assert blob["stage"] == "evaluate" and blob["CostUSD"] == [result["cost_usd"]] == [0.0]


def test_a_failing_stage_counts_a_failure_and_raises(
    aws_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an aggregate request for a run that does not exist
    with pytest.raises(KeyError):
        load_handler("run").aggregate_handler({"run_id": "never-prepared"}, CONTEXT)

    # Then the failure is on the stage's metrics
    [blob] = [blob for blob in _metrics(capsys.readouterr().out) if "Failures" in blob]
    assert blob["stage"] == "aggregate" and blob["Failures"] == [1.0]


def test_prepare_is_idempotent_per_run(aws_settings: Settings) -> None:
    # Given a run prepared once
    request = planned_run(aws_settings).model_dump(mode="json")
    run = load_handler("run")
    first = run.prepare_handler(request, CONTEXT)

    # When the same start arrives again after the manifest was removed
    stores().blobs.delete(first["manifest_key"])
    again = run.prepare_handler(request, CONTEXT)

    # Then the first result is returned and preparation did not run a second time
    assert again == first
    assert not stores().blobs.exists(first["manifest_key"])


def test_channel_message_is_answered_by_the_live_bundle(
    aws_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a planned run (which pushed v2), v2 made live, and its tools module deployed with the function
    from rehearsal.bundles.store import BundleStore

    monkeypatch.syspath_prepend(str(EXAMPLE))
    request = planned_run(aws_settings)
    BundleStore(stores().blobs, stores().runs).promote(request.bundle_name, request.bundle_version)

    # When a channel sends a visitor's message
    reply = load_handler("runtime").lambda_handler(
        {"conversation_id": "chan-1", "bundle": request.bundle_name, "text": "hello"}, CONTEXT
    )

    # Then the live version answers and the conversation is stored
    assert reply["bundle_version"] == request.bundle_version and reply["messages"]
    assert reply["turns"] == 2


@pytest.mark.parametrize(
    ("stage", "payload", "path"),
    [
        ("insights", {"stage": "embed", "corpus": "calls"}, "embed.shard_key"),
        ("insights", {"stage": "train", "corpus": "calls"}, "(event)"),
        ("analyst", {"corpus": "calls"}, "question"),
        ("runtime", {"bundle": "acme-retail", "text": "hi"}, "conversation_id"),
        ("monitor", {"corpus": "calls", "period": "hour"}, "period"),
    ],
)
def test_service_handlers_reject_malformed_events_naming_the_field(
    aws_settings: Settings, stage: str, payload: dict[str, Any], path: str
) -> None:
    with pytest.raises(EventValidationError) as raised:
        load_handler(stage).lambda_handler(payload, CONTEXT)

    assert any(problem.startswith(path) for problem in raised.value.problems), raised.value.problems


def test_the_scheduled_monitor_stores_its_dashboard_in_the_bucket(aws_settings: Settings) -> None:
    # Given a stored corpus of three days of conversations, and behaviours, in S3
    conversations = [
        Conversation.model_validate(
            {
                "id": f"c{day}-{n}",
                "started_at": f"2026-03-0{day + 1}T09:0{n}:00+00:00",
                "outcome": "resolved",
                "turns": [
                    {"speaker": "human_agent", "text": "Hello, how can I help?"},
                    {"speaker": "customer", "text": "Where is my order?"},
                ],
            }
        )
        for day in range(3)
        for n in range(4)
    ]
    blobs = stores().blobs
    save_corpus(blobs, "calls", IngestResult(source="test", format="jsonl", conversations=conversations))
    blobs.put("config/behaviours.yaml", (EXAMPLE / "behaviours.yaml").read_bytes())

    # When the scheduled event reaches the handler
    result = MonitorStageResult.model_validate(
        load_handler("monitor").lambda_handler(
            {"corpus": "calls", "behaviours_key": "config/behaviours.yaml"}, CONTEXT
        )
    )

    # Then the dashboard and its JSON are in the bucket, and the result carries keys and counts only
    assert (result.conversations, result.undated) == (12, 0)
    assert b"<svg" in blobs.get(result.html_key)
    assert MonitorReport.model_validate_json(blobs.get(result.json_key)).series.conversations == 12
