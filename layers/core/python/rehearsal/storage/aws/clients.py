"""boto3 sessions and clients built from settings: the one place the AWS SDK is configured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from rehearsal.settings import Settings

# Adaptive retries back off on throttling, which the fan-out of a rehearsal run will meet.
_RETRIES = Config(retries={"max_attempts": 10, "mode": "adaptive"})


def session(settings: Settings) -> boto3.Session:
    return boto3.Session(region_name=settings.aws_region)


def client(settings: Settings, service: str) -> Any:
    """A client for ``service`` honouring the region and endpoint override (LocalStack, moto server)."""
    make: Callable[..., Any] = session(settings).client  # the stubs overload on literal service names
    return make(service, endpoint_url=settings.aws_endpoint_url, config=_RETRIES)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def http_status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
