"""What every Lambda entry point shares: Powertools observability, one ``Settings`` and one set of stores per
container, event validation that names the failing fields, EMF metrics per stage, and idempotent run starts.

A handler module stays thin::

    lambda_handler = stage_handler("simulate", SimulateRequest, simulate_item)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores

SERVICE = "rehearsal"
METRICS_NAMESPACE = "Rehearsal"
ERRORED_ITEMS_METRIC = "ItemsErrored"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)

Request = TypeVar("Request", bound=BaseModel)
Result = TypeVar("Result", bound=BaseModel)
Handler = Callable[[Any, LambdaContext], dict[str, Any]]

IDEMPOTENCY_TTL_SECONDS = 24 * 3600


class EventValidationError(Exception):
    """The event does not match the stage's contract. Lambda reports the class name as ``errorType``, so
    Step Functions' Catch records it for the item, with the field paths in the cause."""

    def __init__(self, model: str, problems: list[str]) -> None:
        self.model = model
        self.problems = problems
        super().__init__(f"invalid {model} event: " + "; ".join(problems))


def field_problems(error: ValidationError) -> list[str]:
    """``path.to.field: message`` for each error, the JSON path first."""
    return [
        f"{'.'.join(str(part) for part in item['loc']) or '(event)'}: {item['msg']}"
        for item in error.errors()
    ]


def parse_event(model: type[Request], event: Any) -> Request:
    if not isinstance(event, Mapping):
        raise EventValidationError(
            model.__name__, [f"(event): expected a JSON object, got {type(event).__name__}"]
        )
    try:
        return model.model_validate(event)
    except ValidationError as error:
        raise EventValidationError(model.__name__, field_problems(error)) from None


@cache
def settings() -> Settings:
    return Settings()


@cache
def stores() -> Stores:
    return build_stores(settings())


def record_errored_item() -> None:
    """One errored item, on the metric the ``ItemsErrored`` alarm watches (service dimension only)."""
    with single_metric(
        name=ERRORED_ITEMS_METRIC,
        unit=MetricUnit.Count,
        value=1,
        namespace=METRICS_NAMESPACE,
        default_dimensions={"service": SERVICE},
    ):
        pass


def _idempotent(run: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Callable[..., dict[str, Any]]:
    """``run`` made idempotent on the event's ``key`` when an idempotency table is configured."""
    table = settings().idempotency_table
    if table is None:
        return lambda event, context: run(event)
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(event_key_jmespath=key, expires_after_seconds=IDEMPOTENCY_TTL_SECONDS)
    guarded = idempotent_function(
        data_keyword_argument="event",
        persistence_store=DynamoDBPersistenceLayer(table_name=table),
        config=config,
    )(run)

    def call(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        config.register_lambda_context(context)
        result: dict[str, Any] = guarded(event=event)
        return result

    return call


def stage_handler(
    stage: str,
    model: type[Request],
    run: Callable[[Request, Stores], Result],
    *,
    failed: Callable[[Result], bool] | None = None,
    item_errored: Callable[[Result], bool] | None = None,
    cost_usd: Callable[[Result], float] | None = None,
    idempotency_key: str | None = None,
) -> Handler:
    """A Lambda handler: validate the event as ``model``, call ``run`` once, return its result as JSON.

    Metrics per stage (dimension ``stage``): ``Items``, ``Failures`` (raised, or ``failed`` says so),
    ``Latency`` and, when the stage knows it, ``CostUSD``; ``item_errored`` results also count on the
    ``ItemsErrored`` alarm metric. With ``idempotency_key`` (a JMESPath into the event), a
    repeated event returns the first result instead of running again."""

    def execute(event: dict[str, Any]) -> dict[str, Any]:
        result = run(parse_event(model, event), stores())
        if failed is not None and failed(result):
            metrics.add_metric(name="Failures", unit=MetricUnit.Count, value=1)
        if item_errored is not None and item_errored(result):
            record_errored_item()
        if cost_usd is not None:
            metrics.add_metric(name="CostUSD", unit=MetricUnit.NoUnit, value=cost_usd(result))
        return result.model_dump(mode="json")

    guarded: Callable[..., dict[str, Any]] | None = None

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
        nonlocal guarded
        metrics.add_dimension(name="stage", value=stage)
        metrics.add_metric(name="Items", unit=MetricUnit.Count, value=1)
        started = time.perf_counter()
        try:
            if idempotency_key is None:
                return execute(event)
            if guarded is None:  # built on first use: the persistence layer needs the region and table
                guarded = _idempotent(execute, idempotency_key)
            return guarded(parse_event(model, event).model_dump(mode="json"), context)
        except Exception as error:
            metrics.add_metric(name="Failures", unit=MetricUnit.Count, value=1)
            logger.warning("stage failed", extra={"stage": stage, "error": type(error).__name__})
            raise
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=elapsed_ms)

    return handler
