"""The one factory for stage Lambdas: every function gets the same runtime, architecture, tracing, log
retention, layers and base environment, so no Lambda block is repeated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.nag import acknowledge, wildcard_resource

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
XRAY_REASON = "X-Ray's PutTraceSegments and PutTelemetryRecords do not support resource-level permissions."
RUNTIME_REASON = (
    "Python 3.12 is the newest runtime the library and its arm64 wheels are tested with (the package "
    "supports 3.11+)."
)


class StageFunctionFactory:
    """Creates stage functions that share layers and a base environment."""

    def __init__(
        self,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        *,
        removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
    ) -> None:
        self.layers = list(layers)
        self.environment = dict(environment)
        self.removal_policy = removal_policy

    def create(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code_dir: Path,
        handler: str,
        description: str,
        memory_mb: int = 512,
        timeout_seconds: int = 60,
        environment: Mapping[str, str] | None = None,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            scope, f"{construct_id}Logs", retention=LOG_RETENTION, removal_policy=self.removal_policy
        )
        # Its own role, writing to its own log group only (rather than the managed basic execution policy).
        role = iam.Role(scope, f"{construct_id}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        log_group.grant_write(role)
        acknowledge(role, wildcard_resource("*"), XRAY_REASON)
        function = lambda_.Function(
            scope,
            construct_id,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=lambda_.Code.from_asset(str(code_dir), exclude=["**/__pycache__", "**/*.pyc"]),
            handler=handler,
            role=role,
            description=description,
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_seconds),
            layers=self.layers,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            environment={**self.environment, **(environment or {})},
        )
        acknowledge(function, "AwsSolutions-L1", RUNTIME_REASON)
        return function
