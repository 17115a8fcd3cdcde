"""CDK entry point. From the repository root: ``npx aws-cdk@2 synth --app "python3 -m infra.app"``.

Context (``-c key=value``): ``prefix`` (resource names, default ``rehearsal``), ``driftSchedule`` (an
EventBridge schedule expression, default ``rate(1 day)``), ``monitorCorpora`` (comma-separated stored corpus
names the monitor checks on ``monitorSchedule``, default daily at 06:00 UTC, with the behaviours YAML at blob
key ``monitorBehavioursKey`` when given), ``dependenciesDir`` (a prebuilt folder holding ``python/`` to use as
the dependencies layer instead of building it with pip).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.stacks.rehearsal_stack import DEFAULT_DRIFT_SCHEDULE, DEFAULT_MONITOR_SCHEDULE, RehearsalStack


def build_app(app: cdk.App | None = None) -> cdk.App:
    app = app or cdk.App()
    prebuilt = app.node.try_get_context("dependenciesDir")
    RehearsalStack(
        app,
        "Rehearsal",
        name_prefix=app.node.try_get_context("prefix") or "rehearsal",
        drift_schedule=app.node.try_get_context("driftSchedule") or DEFAULT_DRIFT_SCHEDULE,
        monitor_corpora=_names(app.node.try_get_context("monitorCorpora")),
        monitor_schedule=app.node.try_get_context("monitorSchedule") or DEFAULT_MONITOR_SCHEDULE,
        monitor_behaviours_key=app.node.try_get_context("monitorBehavioursKey"),
        prebuilt_dependencies=Path(prebuilt) if prebuilt else None,
        description="Rehearsal: rehearse, release and monitor customer-service AI agents",
    )
    add_policy_checks(app)
    return app


def _names(value: object) -> list[str]:
    """``a,b`` (from ``-c``) or a JSON list (from cdk.json) → names."""
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    return [str(name) for name in value] if isinstance(value, list) else []


def add_policy_checks(app: cdk.App) -> None:
    """cdk-nag's AwsSolutions pack: synth fails on any finding not acknowledged with a reason."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


if __name__ == "__main__":
    build_app().synth()
