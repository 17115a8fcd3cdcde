"""The stage handlers against moto: S3, DynamoDB (run store and idempotency table), one prepared run."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from rehearsal.service import lambdas
from rehearsal.settings import Settings
from rehearsal.storage.aws.runs import create_table

REPO_ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = REPO_ROOT / "examples" / "acme_retail"
EVENTS = REPO_ROOT / "tests" / "events"
REGION = "us-east-1"
BUCKET = "rehearsal-data"
TABLE = "rehearsal-runs"
IDEMPOTENCY_TABLE = "rehearsal-idempotency"


ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "REHEARSAL_BACKEND": "aws",
    "REHEARSAL_BUCKET": BUCKET,
    "REHEARSAL_TABLE": TABLE,
    "REHEARSAL_AWS_REGION": REGION,
    "REHEARSAL_IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
    "POWERTOOLS_SERVICE_NAME": "rehearsal",
    "POWERTOOLS_METRICS_NAMESPACE": "Rehearsal",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@contextmanager
def deployed_environment(monkeypatch: pytest.MonkeyPatch, moto_config: Any = None) -> Iterator[Settings]:
    """The environment a deployed stage function gets, with its resources in moto; the handlers' cached
    settings and stores are rebuilt inside and forgotten after."""
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with mock_aws(config=moto_config):
        settings = create_aws_resources()
        lambdas.settings.cache_clear()
        lambdas.stores.cache_clear()
        try:
            yield settings
        finally:
            lambdas.settings.cache_clear()
            lambdas.stores.cache_clear()


def event(name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / name).read_text()))


def load_handler(stage: str) -> ModuleType:
    """``functions/<stage>/handler.py`` as Lambda loads it (each under its own module name here)."""
    spec = importlib.util.spec_from_file_location(
        f"{stage}_handler", REPO_ROOT / "functions" / stage / "handler.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_aws_resources() -> Settings:
    """The resources the CDK stack deploys, created in moto (clients made after the mock started)."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_table(dynamodb, TABLE)
    dynamodb.create_table(
        TableName=IDEMPOTENCY_TABLE,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return Settings(
        backend="aws", bucket=BUCKET, table=TABLE, aws_region=REGION, idempotency_table=IDEMPOTENCY_TABLE
    )


@dataclass
class LambdaContext:
    """The fields of the Lambda runtime's context object that Powertools reads."""

    function_name: str = "rehearsal-stage"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:rehearsal-stage"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def planned_run(
    settings: Settings, *, scenarios: int | None = 3, trials: int = 1, promote: bool = False
) -> Any:
    """The example suite (its first ``scenarios``, all with None) planned on v2 of the example bundle."""
    import dataclasses

    from rehearsal.bundles.loader import load_bundle
    from rehearsal.pipeline.events import RunOptions
    from rehearsal.pipeline.planning import plan_run
    from rehearsal.simulate.specs.loading import load_suite
    from rehearsal.storage.factory import build_stores

    suite = load_suite(EXAMPLE / "suite.yaml")
    suite = dataclasses.replace(suite, scenarios=suite.scenarios[:scenarios])
    options = RunOptions(trials=trials, tool_search_paths=[str(EXAMPLE)], promote_on_pass=promote)
    return plan_run(
        load_bundle(EXAMPLE / "bundle.v2.yaml"), suite, build_stores(settings), options=options
    ).request
