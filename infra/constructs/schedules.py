"""Schedules: the EventBridge rule that runs the drift check."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        drift_check: sfn.IStateMachine,
        expression: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # The rule's own role gets states:StartExecution on the drift check only (the target's grant).
        self.drift_rule = events.Rule(
            self,
            "DriftCheck",
            description="Rerun the live bundle of every watched agent against its regression suite",
            schedule=events.Schedule.expression(expression),
            targets=[
                targets.SfnStateMachine(
                    drift_check,
                    input=events.RuleTargetInput.from_object({"trigger": "schedule"}),
                    retry_attempts=2,
                )
            ],
        )
