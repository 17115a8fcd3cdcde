"""The Rehearsal stack: composes the constructs, wires their grants, and applies cdk-nag suppressions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from constructs import Construct

from infra.constructs.api import Api
from infra.constructs.monitoring import Monitoring
from infra.constructs.pipeline import Pipeline
from infra.constructs.schedules import Schedules
from infra.constructs.search import Search
from infra.constructs.storage import Storage
from rehearsal.service.lambdas import METRICS_NAMESPACE, SERVICE

DEFAULT_DRIFT_SCHEDULE = "rate(1 day)"
DEFAULT_MONITOR_SCHEDULE = "cron(0 6 * * ? *)"  # daily, once the day before is complete (UTC)


class RehearsalStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str = "rehearsal",
        drift_schedule: str = DEFAULT_DRIFT_SCHEDULE,
        monitor_corpora: Sequence[str] = (),
        monitor_schedule: str = DEFAULT_MONITOR_SCHEDULE,
        monitor_behaviours_key: str | None = None,
        prebuilt_dependencies: Path | None = None,
        retain_data: bool = True,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        storage = Storage(
            self, "Storage", removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        )
        search = Search(self, "Search", collection_name=f"{name_prefix}-search"[:32])
        environment = {
            "REHEARSAL_BACKEND": "aws",
            "REHEARSAL_BUCKET": storage.bucket.bucket_name,
            "REHEARSAL_TABLE": storage.table.table_name,
            "REHEARSAL_OPENSEARCH_ENDPOINT": search.endpoint,
            "REHEARSAL_OPENSEARCH_SERVICE": "aoss",
            "POWERTOOLS_SERVICE_NAME": SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }
        pipeline = Pipeline(
            self,
            "Pipeline",
            storage=storage,
            environment=environment,
            name_prefix=name_prefix,
            prebuilt_dependencies=prebuilt_dependencies,
        )
        api = Api(
            self,
            "Api",
            storage=storage,
            run_state_machine=pipeline.run_state_machine,
            run_state_machine_name=pipeline.run_state_machine_name,
            function_name=f"{name_prefix}-api",
            layers=pipeline.layers,
            environment=environment,
        )
        search.grant_data_access(
            [function.role for function in pipeline.functions if function.role is not None] + [api.role]
        )
        Schedules(
            self,
            "Schedules",
            drift_check=pipeline.drift_state_machine,
            expression=drift_schedule,
            monitor=pipeline.service_functions["Monitor"],
            monitor_corpora=monitor_corpora,
            monitor_expression=monitor_schedule,
            monitor_behaviours_key=monitor_behaviours_key,
        )
        Monitoring(self, "Monitoring", state_machines=pipeline.state_machines)
        CfnOutput(self, "BucketName", value=storage.bucket.bucket_name)
        CfnOutput(self, "TableName", value=storage.table.table_name)
        CfnOutput(self, "RunStateMachineArn", value=pipeline.run_state_machine.state_machine_arn)
        CfnOutput(self, "ApiUrl", value=api.url)
