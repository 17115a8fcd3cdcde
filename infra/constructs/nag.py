"""cdk-nag acknowledgments: every accepted finding is named exactly and carries its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct

WILDCARD = "AwsSolutions-IAM5"


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Accept ``finding`` (``Rule`` or ``Rule[detail]``) on ``scope`` and everything under it."""
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def arn_reference(element: CfnElement) -> str:
    """How cdk-nag writes ``Fn::GetAtt [<element>, Arn]`` in a finding: ``<LogicalId.Arn>``."""
    stack = Stack.of(element)
    return f"<{stack.resolve(stack.get_logical_id(element))}.Arn>"


def wildcard_resource(resource: str) -> str:
    return f"{WILDCARD}[Resource::{resource}]"
