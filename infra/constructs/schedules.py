"""Schedules: the EventBridge rules that run the drift check and, for the corpora named, the monitor."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

MAX_RULE_TARGETS = 5  # EventBridge's limit per rule


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        drift_check: sfn.IStateMachine,
        expression: str,
        monitor: lambda_.IFunction | None = None,
        monitor_corpora: Sequence[str] = (),
        monitor_expression: str = "rate(1 day)",
        monitor_behaviours_key: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # The rule's own role gets states:StartExecution on the drift check only (the target's grant).
        self.drift_rule = self._rule(
            "DriftCheck",
            "Rerun the live bundle of every watched agent against its regression suite",
            expression,
            [
                targets.SfnStateMachine(
                    drift_check,
                    input=events.RuleTargetInput.from_object({"trigger": "schedule"}),
                    retry_attempts=2,
                )
            ],
        )
        self.monitor_rule: events.Rule | None = None
        if monitor is None or not monitor_corpora:
            return
        if len(monitor_corpora) > MAX_RULE_TARGETS:
            raise ValueError(
                f"monitorCorpora: at most {MAX_RULE_TARGETS} corpora per schedule, got {len(monitor_corpora)}"
            )
        # One target per corpus, each with its own event: the function is invoked once per corpus, and only
        # this rule may invoke it (the target adds a resource policy naming the rule).
        extra = {"behaviours_key": monitor_behaviours_key} if monitor_behaviours_key else {}
        self.monitor_rule = self._rule(
            "Monitor",
            "Trends, anomalies and behaviour adherence of the monitored corpora",
            monitor_expression,
            [
                targets.LambdaFunction(
                    monitor,
                    event=events.RuleTargetInput.from_object({"corpus": corpus} | extra),
                    retry_attempts=2,
                )
                for corpus in monitor_corpora
            ],
        )

    def _rule(
        self, construct_id: str, description: str, expression: str, rule_targets: Sequence[events.IRuleTarget]
    ) -> events.Rule:
        return events.Rule(
            self,
            construct_id,
            description=description,
            schedule=events.Schedule.expression(expression),
            targets=list(rule_targets),
        )
