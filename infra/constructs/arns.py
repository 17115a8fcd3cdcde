"""ARNs of resources named in advance, for grants that cannot reference a construct without a cycle."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack


def _arn(stack: Stack, service: str, resource: str, name: str) -> str:
    return stack.format_arn(
        service=service, resource=resource, resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
    )


def state_machine_arn(stack: Stack, name: str) -> str:
    return _arn(stack, "states", "stateMachine", name)


def execution_arn(stack: Stack, name: str) -> str:
    """Executions of ``name``, including the Distributed Map's child executions (``name/label:id``)."""
    return _arn(stack, "states", "execution", f"{name}*")


def log_group_arn(stack: Stack, name: str) -> str:
    return _arn(stack, "logs", "log-group", f"{name}:*")
