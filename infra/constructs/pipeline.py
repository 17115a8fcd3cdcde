"""Pipeline: the stage functions, their layers, and the two state machines loaded from ``statemachines/``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from aws_cdk import CfnElement, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.arns import execution_arn, state_machine_arn
from infra.constructs.dependencies import dependencies_layer
from infra.constructs.nag import acknowledge, arn_reference, wildcard_resource
from infra.constructs.stage_function import LOG_RETENTION, StageFunctionFactory
from infra.constructs.storage import Storage
from infra.paths import (
    CORE_LAYER_DIR,
    DEPENDENCIES_CACHE_DIR,
    DEPENDENCIES_DIR,
    FUNCTIONS_DIR,
    STATEMACHINES_DIR,
)

MANIFEST_PREFIX = "runs/"
MAP_RESULTS_PREFIX = "map-results"


@dataclass(frozen=True)
class StageSpec:
    """One stage function: where its code is, its handler, and its sizing."""

    folder: str
    handler: str
    description: str
    memory_mb: int = 512
    timeout_seconds: int = 60


# Substitution name in the ASL files → stage function. Simulate gets the longest timeout: with an LLM
# engine one conversation is many model round trips.
RUN_STAGES: Mapping[str, StageSpec] = {
    "PrepareFunctionArn": StageSpec("run", "handler.prepare_handler", "Expand a run into its item manifest"),
    "SimulateFunctionArn": StageSpec(
        "simulate", "handler.lambda_handler", "Simulate one conversation", memory_mb=1024, timeout_seconds=600
    ),
    "EvaluateFunctionArn": StageSpec(
        "evaluate", "handler.lambda_handler", "Evaluate one conversation", memory_mb=1024, timeout_seconds=300
    ),
    "RecordItemErrorFunctionArn": StageSpec(
        "evaluate", "handler.record_failure_handler", "Record an item whose stage failed as errored"
    ),
    "AggregateFunctionArn": StageSpec(
        "run", "handler.aggregate_handler", "Aggregate a run's results", memory_mb=1024, timeout_seconds=300
    ),
    "GateFunctionArn": StageSpec("run", "handler.gate_handler", "Apply a run's gate policy"),
    "PromoteFunctionArn": StageSpec("run", "handler.promote_handler", "Promote a run's bundle version"),
}
DRIFT_STAGES: Mapping[str, StageSpec] = {
    "ListWatchedFunctionArn": StageSpec("drift", "handler.list_watched_handler", "List the watched agents"),
    "CompareFunctionArn": StageSpec(
        "drift", "handler.compare_handler", "Compare a rerun with the last green"
    ),
    "RecordDriftFunctionArn": StageSpec("drift", "handler.record_drift_handler", "Record a regression"),
}
INSIGHTS_STAGES: Mapping[str, StageSpec] = {
    "InsightsFunctionArn": StageSpec(
        "insights",
        "handler.lambda_handler",
        "Run an insights discovery stage",
        memory_mb=3008,
        timeout_seconds=900,
    ),
}
# Functions invoked directly: a channel's conversation turns, analyst questions, the scheduled monitor.
SERVICE_STAGES: Mapping[str, StageSpec] = {
    "Runtime": StageSpec(
        "runtime", "handler.lambda_handler", "Answer one visitor message with the live bundle"
    ),
    "Analyst": StageSpec(
        "analyst", "handler.lambda_handler", "Answer an analyst question", memory_mb=1024, timeout_seconds=300
    ),
    # A quarter of daily conversations is judged and charted in one call: 50k take ~15 s and ~600 MB.
    "Monitor": StageSpec(
        "monitor",
        "handler.lambda_handler",
        "Monitor a stored corpus: trends, anomalies, behaviour adherence",
        memory_mb=2048,
        timeout_seconds=900,
    ),
}


class Pipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        storage: Storage,
        environment: Mapping[str, str],
        name_prefix: str,
        prebuilt_dependencies: Path | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        core_layer = lambda_.LayerVersion(
            self,
            "CoreLayer",
            code=lambda_.Code.from_asset(
                str(CORE_LAYER_DIR), exclude=["**/__pycache__", "**/*.pyc", "**/*.egg-info"]
            ),
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="The rehearsal library",
        )
        deps_layer = dependencies_layer(
            self,
            "DependenciesLayer",
            requirements_dir=DEPENDENCIES_DIR,
            cache_root=DEPENDENCIES_CACHE_DIR,
            prebuilt_dir=prebuilt_dependencies,
        )
        self.layers: list[lambda_.ILayerVersion] = [deps_layer, core_layer]
        self.event_bus = events.EventBus(self, "Events", event_bus_name=f"{name_prefix}-events")
        self.factory = StageFunctionFactory(
            self.layers,
            {
                **environment,
                "REHEARSAL_IDEMPOTENCY_TABLE": storage.idempotency_table.table_name,
            },
        )
        self.run_functions = self._functions(RUN_STAGES)
        self.drift_functions = self._functions(DRIFT_STAGES)
        self.insights_functions = self._functions(INSIGHTS_STAGES)
        self.service_functions = self._functions(SERVICE_STAGES)
        self.functions = [
            *self.run_functions.values(),
            *self.drift_functions.values(),
            *self.insights_functions.values(),
            *self.service_functions.values(),
        ]
        for function in self.functions:
            storage.grant_store_access(function)
        storage.idempotency_table.grant_read_write_data(self.run_functions["PrepareFunctionArn"])

        self.run_state_machine_name = f"{name_prefix}-rehearsal-run"
        self.run_state_machine = self._rehearsal_run(storage, self.run_state_machine_name)
        self.drift_state_machine = self._drift_check(f"{name_prefix}-drift-check")
        self.insights_state_machine = self._state_machine(
            "InsightsDiscovery",
            f"{name_prefix}-insights-discovery",
            {key: function.function_arn for key, function in self.insights_functions.items()},
        )
        _grant_invoke(self.insights_state_machine, self.insights_functions.values())
        self.state_machines = [self.run_state_machine, self.drift_state_machine, self.insights_state_machine]

    def _functions(self, stages: Mapping[str, StageSpec]) -> dict[str, lambda_.Function]:
        return {
            name: self.factory.create(
                self,
                name.removesuffix("FunctionArn"),
                code_dir=FUNCTIONS_DIR / spec.folder,
                handler=spec.handler,
                description=spec.description,
                memory_mb=spec.memory_mb,
                timeout_seconds=spec.timeout_seconds,
            )
            for name, spec in stages.items()
        }

    def _state_machine(
        self, construct_id: str, name: str, substitutions: Mapping[str, str]
    ) -> sfn.StateMachine:
        log_group = logs.LogGroup(
            self, f"{construct_id}Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        machine = sfn.StateMachine(
            self,
            construct_id,
            state_machine_name=name,
            definition_body=sfn.DefinitionBody.from_file(
                str(STATEMACHINES_DIR / f"{_asl_name(construct_id)}")
            ),
            definition_substitutions=dict(substitutions),
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            machine,
            wildcard_resource("*"),
            "X-Ray tracing and CloudWatch Logs delivery (logs:*LogDelivery*, logs:DescribeResourcePolicies) "
            "do not support resource-level permissions.",
        )
        return machine

    def _rehearsal_run(self, storage: Storage, name: str) -> sfn.StateMachine:
        machine = self._state_machine(
            "RehearsalRun",
            name,
            {
                **{key: function.function_arn for key, function in self.run_functions.items()},
                "ResultsBucket": storage.bucket.bucket_name,
            },
        )
        _grant_invoke(machine, self.run_functions.values())
        stack = Stack.of(self)
        # The Distributed Map starts child executions of this state machine and reads the manifest.
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:StartExecution"],
                resources=[state_machine_arn(stack, name)],
            )
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"],
                resources=[execution_arn(stack, name)],
            )
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[storage.bucket.arn_for_objects(f"{MANIFEST_PREFIX}*")]
            )
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                resources=[storage.bucket.arn_for_objects(f"{MAP_RESULTS_PREFIX}/*")],
            )
        )
        bucket = arn_reference(cast(CfnElement, storage.bucket.node.default_child))
        acknowledge(
            machine,
            wildcard_resource(f"{bucket}/{MANIFEST_PREFIX}*"),
            "The Distributed Map reads each run's manifest (runs/<run id>/manifest.json); run ids are made "
            "at run time.",
        )
        acknowledge(
            machine,
            wildcard_resource(f"{bucket}/{MAP_RESULTS_PREFIX}/*"),
            "The Distributed Map writes its result files under map-results/<map run id>/, named at run time.",
        )
        _acknowledge_executions(machine, name)
        return machine

    def _drift_check(self, name: str) -> sfn.StateMachine:
        machine = self._state_machine(
            "DriftCheck",
            name,
            {
                **{key: function.function_arn for key, function in self.drift_functions.items()},
                "RehearsalRunStateMachineArn": self.run_state_machine.state_machine_arn,
                "EventBusName": self.event_bus.event_bus_name,
            },
        )
        _grant_invoke(machine, self.drift_functions.values())
        self.event_bus.grant_put_events_to(machine)
        self.run_state_machine.grant_start_execution(machine)
        stack = Stack.of(self)
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"],
                resources=[execution_arn(stack, self.run_state_machine_name)],
            )
        )
        _acknowledge_executions(machine, self.run_state_machine_name)
        # startExecution.sync:2 waits through this managed rule.
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                resources=[
                    stack.format_arn(
                        service="events",
                        resource="rule",
                        resource_name="StepFunctionsGetEventsForStepFunctionsExecutionManagedRule",
                    )
                ],
            )
        )
        return machine


def _grant_invoke(machine: sfn.StateMachine, functions: Iterable[lambda_.Function]) -> None:
    """Invoke on the unqualified function ARNs only (``grant_invoke`` would add every version, ``:*``)."""
    machine.add_to_role_policy(
        iam.PolicyStatement(
            actions=["lambda:InvokeFunction"], resources=[function.function_arn for function in functions]
        )
    )


def _acknowledge_executions(machine: sfn.StateMachine, state_machine_name: str) -> None:
    acknowledge(
        machine,
        wildcard_resource(
            f"arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{state_machine_name}*"
        ),
        f"Executions of {state_machine_name} (and its Distributed Map children, named "
        f"{state_machine_name}/<map run>:<id>) are named at run time.",
    )


def _asl_name(construct_id: str) -> str:
    """``RehearsalRun`` → ``rehearsal_run.asl.json``."""
    snake = "".join(f"_{char.lower()}" if char.isupper() else char for char in construct_id).lstrip("_")
    return f"{snake}.asl.json"
