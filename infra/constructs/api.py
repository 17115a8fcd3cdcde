"""Api: the Chalice HTTP API (``app.py`` at the repository root) deployed through ``chalice.cdk``.

The API function gets its own role with only the grants it needs. IAM authorization guards every route
(the routes declare ``IAMAuthorizer``); the local bearer token is never configured in AWS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from chalice.cdk import Chalice
from constructs import Construct

from infra.constructs.arns import execution_arn, log_group_arn
from infra.constructs.nag import acknowledge, wildcard_resource
from infra.constructs.stage_function import XRAY_REASON
from infra.constructs.storage import Storage
from infra.paths import REPO_ROOT

API_HANDLER = "APIHandler"


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        storage: Storage,
        run_state_machine: sfn.IStateMachine,
        run_state_machine_name: str,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        function_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        storage.grant_store_access(self.role)
        run_state_machine.grant_start_execution(self.role)
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution"], resources=[execution_arn(stack, run_state_machine_name)]
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group_arn(stack, f"/aws/lambda/{function_name}")],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
            )
        )
        acknowledge(self.role, wildcard_resource("*"), XRAY_REASON)
        acknowledge(
            self.role,
            wildcard_resource(
                f"arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{run_state_machine_name}*"
            ),
            "The API reads the status of runs it started; executions are named after run ids.",
        )
        acknowledge(
            self.role,
            wildcard_resource(
                f"arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/{function_name}:*"
            ),
            "Log streams of the API function's own log group are created by Lambda at run time.",
        )
        self.chalice = Chalice(
            self,
            "Chalice",
            source_dir=str(REPO_ROOT),
            stage_config={
                "api_gateway_stage": "v1",
                "api_gateway_endpoint_type": "REGIONAL",
                "manage_iam_role": False,
                "iam_role_arn": self.role.role_arn,
                "xray": True,
                "lambda_memory_size": 1024,
                "lambda_timeout": 29,
                "layers": [layer.layer_version_arn for layer in layers],
                "environment_variables": {
                    **environment,
                    "REHEARSAL_STATE_MACHINE_ARN": run_state_machine.state_machine_arn,
                },
            },
        )
        handler = self.chalice.get_resource(API_HANDLER)
        handler.add_property_override("FunctionName", function_name)
        handler.add_property_override("Architectures", ["arm64"])
        handler.add_property_override("Runtime", "python3.12")
        self.url = self.chalice.sam_template.get_output("EndpointURL").value
