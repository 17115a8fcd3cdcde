"""Local parity: the rehearsal run state machine as synthesized for AWS, run by moto's Step Functions
interpreter with every Lambda invocation dispatched in-process to the deployed handler, gives the same
aggregate as the local orchestrator for the same seeds."""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.awslambda_simple.models import LambdaSimpleBackend

from rehearsal.evaluate.aggregate import RunAggregate
from rehearsal.evaluate.turn_tests import SCENARIO_PREFIX
from rehearsal.pipeline.events import PrepareRequest
from rehearsal.pipeline.orchestrator import run_local
from rehearsal.pipeline.stages import load_aggregate
from rehearsal.service import lambdas
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

from ..functions.support import BUCKET, REGION, LambdaContext, deployed_environment, planned_run
from .deployed import ACCOUNT, DeployedRun, deployed_run

MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/rehearsal-run"


def _dispatch_to(deployed: DeployedRun) -> Any:
    """moto's docker-free Lambda backend, invoking our handlers; a raised error becomes a function error."""

    def invoke(
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        handler = deployed.handlers[function_name.rsplit(":function:", 1)[-1].split(":", maxsplit=1)[0]]
        try:
            result = handler(json.loads(body or "{}"), LambdaContext())
        except Exception as error:  # what the Lambda runtime reports for an unhandled exception
            response_headers["x-amz-function-error"] = "Unhandled"
            result = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error),
            }
        return json.dumps(result).encode()

    return invoke


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    with deployed_environment(monkeypatch, MOTO_CONFIG) as settings:
        yield settings


def _execute(definition: str, run_input: dict[str, Any], timeout: float = 240) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(name="rehearsal-rehearsal-run", definition=definition, roleArn=ROLE)
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps(run_input))
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return dict(described)
        time.sleep(0.2)


def _comparable(aggregate: RunAggregate) -> dict[str, Any]:
    """Everything but wall-clock figures, which differ between any two runs."""
    return aggregate.model_dump(mode="json", exclude={"latency_ms", "agent_turn_latency_ms"})


def test_step_functions_run_gives_the_local_aggregate(
    aws: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the synthesized definition and handlers, and a run planned in moto's S3 and DynamoDB
    from infra.synth import synthesized_once

    deployed = deployed_run(synthesized_once(), bucket=BUCKET)
    monkeypatch.setattr(LambdaSimpleBackend, "invoke", _dispatch_to(deployed))
    request: PrepareRequest = planned_run(aws, scenarios=None, trials=2)  # the whole example suite

    # When Step Functions runs it
    execution = _execute(deployed.definition, request.model_dump(mode="json"))

    # And the local orchestrator runs the same request (same bundle, suite snapshot and seeds) locally
    local = Settings(backend="local", home=tmp_path / "home")
    local_stores = build_stores(local)
    aws_stores = lambdas.stores()
    for key in (request.suite_key, *(k for k in aws_stores.blobs.list("bundles/"))):
        local_stores.blobs.put(key, aws_stores.blobs.get(key))
    for doc in aws_stores.runs.query("bundles"):
        local_stores.runs.put(doc.partition, doc.key, doc.doc)
    for doc in aws_stores.runs.query(f"bundle#{request.bundle_name}", key_prefix="version#"):
        local_stores.runs.put(doc.partition, doc.key, doc.doc)
    outcome = run_local(request, local, workers=1)

    # Then the execution succeeded and both aggregates are the same
    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    output = json.loads(execution["output"])
    assert output["aggregate"]["errored"] == 0 and output["aggregate"]["items"] > 0
    assert output["aggregate"]["items"] == outcome.aggregate.items
    assert output["gate"]["passed"] is outcome.gate.passed
    assert _comparable(load_aggregate(request.run_id, aws_stores)) == _comparable(
        load_aggregate(request.run_id, local_stores)
    )


def test_item_whose_lambda_crashes_is_caught_and_recorded_as_errored(
    aws: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the deployed run whose simulate function crashes on one item
    from infra.synth import synthesized_once

    deployed = deployed_run(synthesized_once(), bucket=BUCKET)
    [simulate_id] = [name for name in deployed.handlers if name.startswith("PipelineSimulate")]
    simulate = deployed.handlers[simulate_id]
    request: PrepareRequest = planned_run(aws, scenarios=2, trials=1)
    crashing_item: list[str] = []
    lock = threading.Lock()  # the Map runs items in parallel threads: exactly one may crash

    def crash_once(event: Any, context: Any) -> Any:
        with lock:
            # A conversation item, not one of the suite's turn tests (those are judged inside simulate).
            crash = not crashing_item and not event["item_id"].startswith(SCENARIO_PREFIX)
            if crash:
                crashing_item.append(event["item_id"])
        if crash:
            raise MemoryError("Runtime exited with error: out of memory")
        return simulate(event, context)

    handlers = {**deployed.handlers, simulate_id: crash_once}
    monkeypatch.setattr(
        LambdaSimpleBackend, "invoke", _dispatch_to(DeployedRun(deployed.definition, handlers))
    )

    # When Step Functions runs it
    execution = _execute(deployed.definition, request.model_dump(mode="json"))

    # Then the run completes, and the crashed item is errored with the crash as its reason
    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    output = json.loads(execution["output"])
    assert output["aggregate"]["errored"] == 1
    results = lambdas.stores().blobs.get(f"runs/{request.run_id}/items/{crashing_item[0]}/result.json")
    assert "out of memory" in json.loads(results)["error"]
