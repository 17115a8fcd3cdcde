"""The Step Functions launcher against moto's Step Functions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from rehearsal.pipeline.launcher import StepFunctionsLauncher, execution_name
from rehearsal.settings import Settings
from rehearsal.storage.ports import Conflict, NotFound

REGION = "us-east-1"
PASS_THROUGH = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@pytest.fixture
def sfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield boto3.client("stepfunctions", region_name=REGION)


@pytest.fixture
def launcher(sfn: Any) -> StepFunctionsLauncher:
    machine = sfn.create_state_machine(
        name="rehearsal-run",
        definition=json.dumps(PASS_THROUGH),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )
    return StepFunctionsLauncher(sfn, machine["stateMachineArn"])


def test_start_launches_an_execution_named_after_the_key(launcher: StepFunctionsLauncher, sfn: Any) -> None:
    # When
    launch = launcher.start({"run_id": "R1", "suite": "smoke"}, idempotency_key="run-R1")

    # Then
    described = sfn.describe_execution(executionArn=launch.execution_id)
    assert launch.already_started is False
    assert described["name"] == execution_name("run-R1")
    assert json.loads(described["input"]) == {"run_id": "R1", "suite": "smoke"}


def test_a_second_start_with_the_same_key_starts_nothing_new(
    launcher: StepFunctionsLauncher, sfn: Any
) -> None:
    # Given
    first = launcher.start({"run_id": "R1"}, idempotency_key="run-R1")

    # When
    second = launcher.start({"run_id": "R1"}, idempotency_key="run-R1")

    # Then
    assert (second.execution_id, second.already_started) == (first.execution_id, True)
    executions = sfn.list_executions(stateMachineArn=launcher.state_machine_arn)["executions"]
    assert len(executions) == 1


def test_a_start_that_loses_the_race_reports_the_existing_execution(
    launcher: StepFunctionsLauncher, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: another process starts the same run between our look and our start
    first = launcher.start({"run_id": "R1"}, idempotency_key="run-R1")
    looks = iter([NotFound("not yet")])
    original = launcher._already_started

    def late_look(name: str, payload: str, key: str) -> Any:
        for error in looks:
            raise error
        return original(name, payload, key)

    monkeypatch.setattr(launcher, "_already_started", late_look)
    sfn.stop_execution(
        executionArn=first.execution_id
    )  # closed: Step Functions answers ExecutionAlreadyExists

    # When
    second = launcher.start({"run_id": "R1"}, idempotency_key="run-R1")

    # Then
    assert (second.execution_id, second.already_started) == (first.execution_id, True)


def test_reusing_a_key_for_another_request_conflicts(launcher: StepFunctionsLauncher) -> None:
    # Given
    launcher.start({"run_id": "R1"}, idempotency_key="run-R1")

    # When / Then
    with pytest.raises(Conflict, match="run-R1"):
        launcher.start({"run_id": "R2"}, idempotency_key="run-R1")


def test_status_reports_state_times_and_output(launcher: StepFunctionsLauncher) -> None:
    # Given
    launch = launcher.start({"run_id": "R1"}, idempotency_key="run-R1")

    # When
    status = launcher.status(launch.execution_id)

    # Then
    assert status.execution_id == launch.execution_id
    assert status.state in {"RUNNING", "SUCCEEDED"}
    assert status.started_at.tzinfo is not None


def test_status_of_an_unknown_execution_raises_not_found(launcher: StepFunctionsLauncher) -> None:
    # Given
    unknown = launcher.state_machine_arn.replace(":stateMachine:", ":execution:") + ":nope"

    # When / Then
    with pytest.raises(NotFound, match="nope"):
        launcher.status(unknown)


@pytest.mark.parametrize(
    "key",
    ["run-R1", "bundle acme/v3 × suite#smoke", "x" * 300, "___", "ü"],
)
def test_execution_names_are_valid_for_step_functions(key: str) -> None:
    # When
    name = execution_name(key)

    # Then
    assert 1 <= len(name) <= 80
    assert all(character.isascii() and (character.isalnum() or character in "-_") for character in name)
    assert name == execution_name(key)


def test_keys_that_clean_up_alike_get_different_names() -> None:
    # When / Then
    assert execution_name("run R1") != execution_name("run/R1")


def test_an_empty_key_is_refused() -> None:
    # When / Then
    with pytest.raises(ValueError, match="idempotency_key"):
        execution_name("")


def test_from_settings_needs_the_state_machine_arn() -> None:
    # When / Then
    with pytest.raises(ValueError, match="REHEARSAL_STATE_MACHINE_ARN"):
        StepFunctionsLauncher.from_settings(Settings(backend="aws"))


def test_a_malformed_state_machine_arn_is_refused(sfn: Any) -> None:
    # When / Then
    with pytest.raises(ValueError, match="not a state machine ARN"):
        StepFunctionsLauncher(sfn, "arn:aws:states:us-east-1:123456789012:execution:x:y")
