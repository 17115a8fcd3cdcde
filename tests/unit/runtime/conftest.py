"""A tiny one-agent bundle for fast runtime tests, built in code so each test states what it needs."""

from __future__ import annotations

from typing import Any

import pytest

from rehearsal.bundles.schema import AgentBundle
from rehearsal.runtime import AgentRuntime, ToolError, ToolRegistry, tool
from rehearsal.runtime.tools import ToolContext


@tool
def lookup(order_id: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Look up an order.

    Args:
        order_id: The order number.
    """
    order = ctx.world["orders"].get(order_id)
    if order is None:
        raise ToolError("order_not_found", order_id)
    return {"order_id": order_id, "status": order["status"]}


@tool
def verify(email: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Verify the customer's email."""
    return {"verified": email == ctx.world["email"]}


@tool
def refund(order_id: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Refund an order."""
    ctx.world["orders"][order_id]["status"] = "refunded"
    return {"order_id": order_id, "refunded": True}


def bundle_data(**overrides: Any) -> dict[str, Any]:
    module = __name__
    data: dict[str, Any] = {
        "metadata": {"name": "mini"},
        "tools": [
            {
                "name": "lookup",
                "description": "Look up an order.",
                "binding": {"kind": "python", "target": f"{module}:lookup"},
                "input_schema": {
                    "type": "object",
                    "properties": {"order_id": {"type": "string"}},
                    "required": ["order_id"],
                },
                "output_schema": {
                    "type": "object",
                    "properties": {"status": {"type": "string"}},
                    "required": ["status"],
                },
            },
            {
                "name": "verify",
                "description": "Verify the email.",
                "binding": {"kind": "python", "target": f"{module}:verify"},
                "grants": [
                    {"fact": "identity_verified", "when": [{"path": "result.verified", "value": True}]}
                ],
            },
            {
                "name": "refund",
                "description": "Refund an order.",
                "binding": {"kind": "python", "target": f"{module}:refund"},
                "side_effects": True,
            },
        ],
        "agents": [
            {
                "name": "main",
                "greeting": "Hello!",
                "fallback": "Sorry?",
                "tools": ["lookup", "verify", "refund"],
                "slots": [
                    {"name": "order_id", "type": "id", "pattern": "^A[0-9]{4}$"},
                    {"name": "email", "type": "email"},
                    {"name": "confirm", "type": "yes_no"},
                ],
                "intents": [
                    {
                        "name": "status",
                        "flow": "status",
                        "examples": [
                            "where is my order",
                            "order status",
                            "track my package",
                            "has it shipped",
                        ],
                    },
                    {
                        "name": "refund",
                        "flow": "refund",
                        "examples": ["I want a refund", "give me my money back", "refund my order please"],
                    },
                ],
                "flows": [
                    {
                        "name": "status",
                        "stages": [
                            {
                                "name": "ask",
                                "steps": [
                                    {
                                        "kind": "ask",
                                        "slot": "order_id",
                                        "prompt": "Order number?",
                                        "max_attempts": 2,
                                    },
                                    {
                                        "kind": "call",
                                        "tool": "lookup",
                                        "args": {"order_id": "{{ slots.order_id }}"},
                                        "on_error": "missing",
                                    },
                                    {"kind": "respond", "text": "It is {{ results.lookup.status }}."},
                                ],
                            },
                            {"name": "missing", "steps": [{"kind": "respond", "text": "No such order."}]},
                        ],
                    },
                    {
                        "name": "refund",
                        "stages": [
                            {
                                "name": "ask",
                                "steps": [
                                    {"kind": "ask", "slot": "order_id", "prompt": "Order number?"},
                                    {"kind": "ask", "slot": "confirm", "prompt": "Refund it?"},
                                    {
                                        "kind": "call",
                                        "tool": "refund",
                                        "args": {"order_id": "{{ slots.order_id }}"},
                                        "on_error": "failed",
                                    },
                                    {"kind": "end", "message": "Refunded."},
                                ],
                            },
                            {"name": "failed", "steps": [{"kind": "respond", "text": "Could not refund."}]},
                        ],
                    },
                ],
            }
        ],
    }
    data.update(overrides)
    return data


def make_bundle(**overrides: Any) -> AgentBundle:
    return AgentBundle.model_validate(bundle_data(**overrides))


@pytest.fixture
def world() -> dict[str, Any]:
    return {"email": "jane@example.com", "orders": {"A1001": {"status": "shipped"}}}


@pytest.fixture
def mini_bundle() -> AgentBundle:
    return make_bundle()


def runtime_for(bundle: AgentBundle, **kwargs: Any) -> AgentRuntime:
    kwargs.setdefault("tools", ToolRegistry.from_bundle(bundle, isolation="inline"))
    return AgentRuntime(bundle, **kwargs)
