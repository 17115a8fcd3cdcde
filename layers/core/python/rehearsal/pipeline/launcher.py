"""The orchestrator port: start a rehearsal run and ask how it is going.

``StepFunctionsLauncher`` starts one execution of the run state machine per idempotency key: the
execution name is derived from the key, so a run started twice starts once. A repeated start comes back
as "already started" with the first execution's id (whether Step Functions would have returned the
running execution or answered ``ExecutionAlreadyExists``), unless the key was reused for a different
request, which is a ``Conflict``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any, Literal, Protocol

from botocore.exceptions import ClientError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.settings import Settings
from rehearsal.storage.ports import Conflict, NotFound

ExecutionState = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_NAME_LIMIT = 80  # Step Functions' limit on execution names


class Launch(BaseModel):
    """What a start returned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    execution_id: str = Field(description="The orchestrator's id of the execution (an ARN on AWS).")
    already_started: bool = Field(description="True when this key had started the run before.")


class ExecutionStatus(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    execution_id: str
    state: ExecutionState
    started_at: AwareDatetime
    stopped_at: AwareDatetime | None = None
    output: dict[str, Any] | None = Field(None, description="The run's result once it succeeded.")
    error: str | None = None
    cause: str | None = None


class RunLauncher(Protocol):
    def start(self, run_request_json: dict[str, Any], *, idempotency_key: str) -> Launch:
        """Start the run once per ``idempotency_key``; ``Conflict`` if the key served another request."""
        ...

    def status(self, execution_id: str) -> ExecutionStatus:
        """Raises ``NotFound`` for an unknown execution."""
        ...


def execution_name(idempotency_key: str) -> str:
    """A valid, deterministic execution name for the key: a readable part of the key plus a digest of
    all of it, so keys that read alike after cleaning never collide."""
    if not idempotency_key:
        raise ValueError("idempotency_key must not be empty")
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
    readable = _NAME_UNSAFE.sub("-", idempotency_key).strip("-")[: _NAME_LIMIT - len(digest) - 1]
    return f"{readable}-{digest}" if readable else digest


class StepFunctionsLauncher:
    def __init__(self, client: Any, state_machine_arn: str) -> None:
        if ":stateMachine:" not in state_machine_arn:
            raise ValueError(f"not a state machine ARN: {state_machine_arn!r} (REHEARSAL_STATE_MACHINE_ARN)")
        self._sfn = client
        self.state_machine_arn = state_machine_arn

    @classmethod
    def from_settings(cls, settings: Settings) -> StepFunctionsLauncher:
        if not settings.state_machine_arn:
            raise ValueError("starting runs on AWS needs REHEARSAL_STATE_MACHINE_ARN")
        from rehearsal.storage.aws.clients import client  # boto3 only where AWS is used

        return cls(client(settings, "stepfunctions"), settings.state_machine_arn)

    def start(self, run_request_json: dict[str, Any], *, idempotency_key: str) -> Launch:
        name = execution_name(idempotency_key)
        payload = json.dumps(run_request_json, sort_keys=True, separators=(",", ":"))
        try:
            # Step Functions hands back a running same-input execution without saying it is not new:
            # look first, so a repeated start is reported as one.
            return self._already_started(name, payload, idempotency_key)
        except NotFound:
            pass
        try:
            response = self._sfn.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=payload
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
            return self._already_started(name, payload, idempotency_key)  # another start won the race
        return Launch(execution_id=str(response["executionArn"]), already_started=False)

    def _already_started(self, name: str, payload: str, idempotency_key: str) -> Launch:
        execution_id = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1) + f":{name}"
        existing = self._describe(execution_id)
        if json.loads(existing.get("input") or "null") != json.loads(payload):
            raise Conflict(
                f"idempotency key {idempotency_key!r} already started a run with a different request"
            )
        return Launch(execution_id=execution_id, already_started=True)

    def _describe(self, execution_id: str) -> dict[str, Any]:
        try:
            described: dict[str, Any] = self._sfn.describe_execution(executionArn=execution_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"ExecutionDoesNotExist", "InvalidArn"}:
                raise NotFound(f"execution {execution_id!r} not found") from None
            raise
        return described

    def status(self, execution_id: str) -> ExecutionStatus:
        described = self._describe(execution_id)
        output = described.get("output")
        return ExecutionStatus(
            execution_id=execution_id,
            state=described["status"],
            started_at=_aware(described["startDate"]),
            stopped_at=_aware(described["stopDate"]) if described.get("stopDate") else None,
            output=json.loads(output) if output else None,
            error=described.get("error"),
            cause=described.get("cause"),
        )


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"the orchestrator returned a naive timestamp {moment!r}")
    return moment
