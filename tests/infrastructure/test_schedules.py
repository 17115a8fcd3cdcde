"""The schedules construct on a small stack: the drift check always, the monitor only for named corpora."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template

from infra.constructs.schedules import Schedules


def _template(**monitor: Any) -> Template:
    stack = Stack(App(), "Schedules")
    function = lambda_.Function(
        stack,
        "Monitor",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="handler.lambda_handler",
        code=lambda_.Code.from_inline("def lambda_handler(event, context): return event"),
    )
    steps = sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "Rerun"))
    drift = sfn.StateMachine(stack, "Drift", definition_body=steps)
    Schedules(stack, "Schedules", drift_check=drift, expression="rate(1 day)", monitor=function, **monitor)
    return Template.from_stack(stack)


def _rules(template: Template) -> dict[str, dict[str, Any]]:
    rules = template.find_resources("AWS::Events::Rule")
    return {name: resource["Properties"] for name, resource in rules.items()}


def test_without_monitored_corpora_only_the_drift_check_is_scheduled() -> None:
    assert len(_rules(_template())) == 1


def test_each_monitored_corpus_is_a_target_with_its_own_event() -> None:
    # Given two corpora and a behaviours key
    template = _template(
        monitor_corpora=["chats", "calls"],
        monitor_expression="cron(0 6 * * ? *)",
        monitor_behaviours_key="config/behaviours.yaml",
    )
    # Then one more rule invokes the monitor once per corpus, on its own schedule
    (monitor,) = [rule for rule in _rules(template).values() if rule["ScheduleExpression"] != "rate(1 day)"]
    assert monitor["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert [target["Input"] for target in monitor["Targets"]] == [
        '{"corpus":"chats","behaviours_key":"config/behaviours.yaml"}',
        '{"corpus":"calls","behaviours_key":"config/behaviours.yaml"}',
    ]
    # and only that rule may invoke it
    permissions = template.find_resources("AWS::Lambda::Permission")
    assert {p["Properties"]["Principal"] for p in permissions.values()} == {"events.amazonaws.com"}


def test_more_corpora_than_a_rule_takes_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="monitorCorpora: at most 5"):
        _template(monitor_corpora=[f"c{n}" for n in range(6)])
