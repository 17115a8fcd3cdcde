"""moto behind the handlers, with the environment a deployed stage function gets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from rehearsal.service import lambdas
from rehearsal.settings import Settings

from .support import BUCKET, IDEMPOTENCY_TABLE, REGION, TABLE, create_aws_resources

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


@pytest.fixture
def aws_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        settings = create_aws_resources()
        lambdas.settings.cache_clear()
        lambdas.stores.cache_clear()
        yield settings
        lambdas.settings.cache_clear()
        lambdas.stores.cache_clear()
