"""Monitoring: alarms on failed executions and on errored items, sent to one encrypted SNS topic."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

# The handlers publish these metrics; the alarms watch the same names.
from rehearsal.service.lambdas import ERRORED_ITEMS_METRIC, METRICS_NAMESPACE, SERVICE


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machines: Sequence[sfn.StateMachine],
        errored_items_threshold: int = 1,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "Alarms",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        action = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        for machine in state_machines:
            failed = machine.metric_failed(period=Duration.minutes(5), statistic="Sum").with_(
                label=f"{machine.node.id} executions failed"
            )
            timed_out = machine.metric_timed_out(period=Duration.minutes(5), statistic="Sum")
            expression = cloudwatch.MathExpression(
                expression="failed + timedout",
                using_metrics={"failed": failed, "timedout": timed_out},
                period=Duration.minutes(5),
            )
            alarm = expression.create_alarm(
                self,
                f"{machine.node.id}Failed",
                alarm_description=f"A {machine.node.id} execution failed or timed out",
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            self.alarms.append(alarm)
        # The stage handlers publish this EMF metric for every item recorded as errored.
        errored = cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=ERRORED_ITEMS_METRIC,
            dimensions_map={"service": SERVICE},
            statistic="Sum",
            period=Duration.minutes(5),
        )
        self.alarms.append(
            errored.create_alarm(
                self,
                "ItemsErrored",
                alarm_description="Rehearsal items were recorded as errored",
                threshold=errored_items_threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        )
        for alarm in self.alarms:
            alarm.add_alarm_action(action)
