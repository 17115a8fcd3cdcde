"""The synthesized Rehearsal stack: key properties of each concern, least-privilege grants, cdk-nag."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .synthesis import REPO_ROOT, Synthesized


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _resources(statement: dict[str, Any]) -> list[Any]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def _data_bucket(synthesized: Synthesized) -> dict[str, Any]:
    buckets = [res for name, res in synthesized.resources("AWS::S3::Bucket").items() if "Data" in name]
    assert len(buckets) == 1
    return buckets[0]["Properties"]


def test_data_bucket_is_versioned_encrypted_and_private(synthesized: Synthesized) -> None:
    # Given the synthesized stack / When reading the data bucket
    bucket = _data_bucket(synthesized)

    # Then
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "LoggingConfiguration" in bucket


def test_every_bucket_denies_requests_without_tls(synthesized: Synthesized) -> None:
    # Given the bucket policies
    policies = synthesized.resources("AWS::S3::BucketPolicy").values()

    # When collecting their deny statements on insecure transport
    denies = [
        statement
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]

    # Then each bucket has one
    assert len(denies) == len(synthesized.resources("AWS::S3::Bucket")) == 2


def test_run_table_matches_the_run_store_design_and_has_point_in_time_recovery(
    synthesized: Synthesized,
) -> None:
    # Given the run store's own table definition
    from rehearsal.storage.aws.runs import INDEX_NAME, TABLE_DEFINITION

    tables = [
        res for name, res in synthesized.resources("AWS::DynamoDB::GlobalTable").items() if "Runs" in name
    ]
    assert len(tables) == 1
    table = tables[0]["Properties"]

    # Then keys, index and recovery match
    assert table["KeySchema"] == TABLE_DEFINITION["KeySchema"]
    index = table["GlobalSecondaryIndexes"][0]
    assert index["IndexName"] == INDEX_NAME
    assert index["KeySchema"] == TABLE_DEFINITION["GlobalSecondaryIndexes"][0]["KeySchema"]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert table["Replicas"][0]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True


def test_idempotency_table_expires_records(synthesized: Synthesized) -> None:
    tables = [
        res
        for name, res in synthesized.resources("AWS::DynamoDB::GlobalTable").items()
        if "Idempotency" in name
    ]
    assert tables[0]["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expiration",
        "Enabled": True,
    }


def test_stage_functions_share_runtime_architecture_tracing_and_layers(synthesized: Synthesized) -> None:
    # Given the stage functions
    functions = synthesized.resources("AWS::Lambda::Function").values()

    # Then every one is arm64 / Python 3.12 / traced, with both layers and the AWS backend
    assert len(functions) >= 10
    for function in functions:
        properties = function["Properties"]
        assert properties["Architectures"] == ["arm64"]
        assert properties["Runtime"] == "python3.12"
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert len(properties["Layers"]) == 2
        assert properties["Environment"]["Variables"]["REHEARSAL_BACKEND"] == "aws"
        assert properties["LoggingConfig"]["LogFormat"] == "JSON"


def test_function_log_groups_have_retention(synthesized: Synthesized) -> None:
    groups = synthesized.resources("AWS::Logs::LogGroup").values()

    assert groups
    assert all(group["Properties"]["RetentionInDays"] == 30 for group in groups)


def test_run_state_machine_fans_out_with_concurrency_and_failure_tolerance_from_the_run(
    synthesized: Synthesized,
) -> None:
    # Given the rehearsal run definition as deployed
    definition = synthesized.definition("RehearsalRun")

    # When reading its Map state
    fan_out = definition["States"]["RehearseItems"]

    # Then it is a Distributed Map over the S3 manifest, bounded by the run's own settings
    assert fan_out["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert fan_out["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert fan_out["MaxConcurrencyPath"] == "$.prepared.max_concurrency"
    assert fan_out["ToleratedFailurePercentagePath"] == "$.prepared.tolerated_failure_percentage"


@pytest.mark.parametrize("state", ["Simulate", "Evaluate"])
def test_item_stages_retry_throttles_with_backoff_and_catch_into_an_errored_item(
    synthesized: Synthesized, state: str
) -> None:
    # Given an item stage of the child workflow
    states = synthesized.definition("RehearsalRun")["States"]["RehearseItems"]["ItemProcessor"]["States"]
    task = states[state]

    # Then throttles are retried with exponential backoff and anything else is recorded
    retry = task["Retry"][0]
    assert "Lambda.TooManyRequestsException" in retry["ErrorEquals"]
    assert retry["BackoffRate"] > 1
    assert task["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordErroredItem"}
    ]


def test_state_machine_substitutions_cover_every_placeholder(synthesized: Synthesized) -> None:
    for fragment, file in (
        ("RehearsalRun", "rehearsal_run"),
        ("DriftCheck", "drift_check"),
        ("InsightsDiscovery", "insights_discovery"),
    ):
        # Given the placeholders in the source file
        source = (REPO_ROOT / "statemachines" / f"{file}.asl.json").read_text()
        placeholders = set(re.findall(r"\$\{(\w+)\}", source))

        # When reading the substitutions of the deployed state machine
        _, machine = synthesized.state_machine(fragment)

        # Then each placeholder has a value
        assert placeholders == set(machine["Properties"]["DefinitionSubstitutions"])


def test_state_machines_log_all_events_and_trace(synthesized: Synthesized) -> None:
    for machine in synthesized.resources("AWS::StepFunctions::StateMachine").values():
        properties = machine["Properties"]
        assert properties["TracingConfiguration"] == {"Enabled": True}
        assert properties["LoggingConfiguration"]["Level"] == "ALL"
        assert properties["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_drift_check_runs_on_a_schedule(synthesized: Synthesized) -> None:
    # Given the rules
    rules = list(synthesized.resources("AWS::Events::Rule").values())

    # Then one schedule starts the drift check state machine
    assert len(rules) == 1
    rule = rules[0]["Properties"]
    assert rule["ScheduleExpression"] == "rate(1 day)"
    drift_name, _ = synthesized.state_machine("DriftCheck")
    assert rule["Targets"][0]["Arn"] == {"Ref": drift_name}


def test_state_machine_invokes_exactly_its_own_functions(synthesized: Synthesized) -> None:
    # Given the rehearsal run role's invoke statement
    statements = [
        s for s in synthesized.policy_statements("RehearsalRunRole") if "lambda:InvokeFunction" in _actions(s)
    ]

    # Then it names the seven stage functions, unqualified, and nothing else
    assert len(statements) == 1
    resources = _resources(statements[0])
    assert len(resources) == 7
    assert all(set(resource) == {"Fn::GetAtt"} for resource in resources)


def test_insights_discovery_invokes_only_the_insights_function(synthesized: Synthesized) -> None:
    statements = [
        s
        for s in synthesized.policy_statements("InsightsDiscoveryRole")
        if "lambda:InvokeFunction" in _actions(s)
    ]

    [statement] = statements
    [resource] = _resources(statement)
    assert resource["Fn::GetAtt"][0].startswith("PipelineInsights")


def test_no_statement_grants_every_action(synthesized: Synthesized) -> None:
    for name, policy in synthesized.resources("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            for action in _actions(statement):
                assert action != "*" and not action.endswith(":*"), f"{name} grants {action}"


def test_stage_functions_have_exactly_the_store_actions_they_call(synthesized: Synthesized) -> None:
    # Given a stage function's policy
    statements = synthesized.policy_statements("PipelineSimulateRole")
    actions = {action for statement in statements for action in _actions(statement)}

    # Then S3 and DynamoDB access is limited to the adapters' calls
    assert {a for a in actions if a.startswith("s3:")} == {
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
    }
    assert {a for a in actions if a.startswith("dynamodb:")} == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    }


def test_roles_use_no_managed_policies(synthesized: Synthesized) -> None:
    for name, role in synthesized.resources("AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], name


def test_search_data_access_is_limited_to_index_and_document_permissions(synthesized: Synthesized) -> None:
    # Given the collection's data access policy
    (policy,) = synthesized.resources("AWS::OpenSearchServerless::AccessPolicy").values()
    body = policy["Properties"]["Policy"]

    # When resolving its JSON (principals are role ARNs, so the body is joined at deploy time)
    text = json.dumps(body)

    # Then it grants the document and index actions the search adapter calls (the analyst deletes an index to
    # rebuild it) on this collection's indexes, and no wildcard action
    for action in ("ReadDocument", "WriteDocument", "CreateIndex", "DescribeIndex", "DeleteIndex"):
        assert f"aoss:{action}" in text
    assert "aoss:*" not in text
    assert "index/rehearsal-search/*" in text


def test_alarms_watch_failed_executions_and_errored_items(synthesized: Synthesized) -> None:
    alarms = [alarm["Properties"] for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()]

    errored = [alarm for alarm in alarms if alarm.get("MetricName") == "ItemsErrored"]
    executions = [alarm for alarm in alarms if "Metrics" in alarm]

    assert len(errored) == 1 and errored[0]["Namespace"] == "Rehearsal"
    assert len(executions) == len(synthesized.resources("AWS::StepFunctions::StateMachine")) == 3
    assert all(alarm["AlarmActions"] for alarm in alarms)


def test_api_is_the_chalice_app_with_its_own_role_and_layers(synthesized: Synthesized) -> None:
    # Given the Chalice function
    (api,) = synthesized.resources("AWS::Serverless::Function").values()
    properties = api["Properties"]

    # Then it runs app.app on the shared layers under the API role
    assert properties["Handler"] == "app.app"
    assert len(properties["Layers"]) == 2
    assert properties["Role"]["Fn::GetAtt"][0].startswith("ApiRole")
    assert properties["Environment"]["Variables"]["REHEARSAL_STATE_MACHINE_ARN"]


def test_policy_validation_reports_no_unacknowledged_finding(synthesized: Synthesized) -> None:
    # Given the policy validation report written at synth
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())

    # Then every plugin concluded with success and left no open violation
    assert report["pluginReports"]
    for plugin in report["pluginReports"]:
        assert plugin["conclusion"] == "success", plugin["pluginName"]
        assert plugin["violations"] == []


def test_policy_checks_fail_synth_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    # Given an app with the same checks and a bucket that breaks AwsSolutions-S1/S10
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    from infra.app import add_policy_checks

    app = cdk.App(outdir=str(tmp_path))
    s3.Bucket(cdk.Stack(app, "Careless"), "Open")
    add_policy_checks(app)

    # When synthesizing / Then the synth fails and names the rule
    with pytest.raises(RuntimeError, match="AwsSolutions-S1"):
        app.synth()


def test_the_monitor_function_is_deployed_with_store_access(synthesized: Synthesized) -> None:
    # Given the stack's functions
    functions = synthesized.resources("AWS::Lambda::Function").values()
    # Then one runs the monitor stage, sized for a quarter of daily conversations
    described = [f["Properties"] for f in functions]
    (monitor,) = [f for f in described if "Monitor a stored corpus" in f.get("Description", "")]
    assert monitor["Handler"] == "handler.lambda_handler"
    assert (monitor["MemorySize"], monitor["Timeout"]) == (2048, 900)
    assert "REHEARSAL_BUCKET" in monitor["Environment"]["Variables"]
