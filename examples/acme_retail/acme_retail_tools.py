"""Acme Retail's tools over a world dict (customers, orders, payments), as bound by the example bundles.

Each tool reads and changes ``ctx.world`` only, so a simulation gives every conversation its own copy and can
compare the world before and after. Business failures are declared errors (``ToolError``), not crashes.
"""

from __future__ import annotations

from typing import Any, Literal

from rehearsal.runtime.tools import ToolContext, ToolError, tool

CANCELLABLE = frozenset({"processing"})
ADDRESS_CHANGEABLE = frozenset({"processing"})
REFUNDABLE = frozenset({"shipped", "delivered", "returned"})


def _order(ctx: ToolContext, order_id: str) -> dict[str, Any]:
    order = ctx.world.get("orders", {}).get(order_id.strip().upper())
    if order is None:
        raise ToolError("order_not_found", f"no order {order_id}")
    return order


def _next_id(ctx: ToolContext, counter: str, prefix: str) -> str:
    counters = ctx.world.setdefault("counters", {})
    counters[counter] = counters.get(counter, 0) + 1
    return f"{prefix}{counters[counter]:04d}"


def _summary(order_id: str, order: dict[str, Any]) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "status": order["status"],
        "items": ", ".join(f"{item['qty']} x {item['name']}" for item in order["items"]),
        "total": order["total"],
        "placed_on": order["placed_on"],
        "estimated_delivery": order.get("estimated_delivery"),
        "tracking_number": order.get("tracking_number"),
        "shipping_address": order["shipping_address"],
    }


@tool
def lookup_order(order_id: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Look up an order's status, items, total, delivery estimate and tracking number.

    Args:
        order_id: The order number, such as A1001.
    """
    order = _order(ctx, order_id)
    return _summary(order_id.strip().upper(), order)


@tool
def verify_identity(order_id: str, email: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Check that the email given by the customer is the one on the order's account.

    Args:
        order_id: The order the customer asks about.
        email: The email address the customer gave.
    """
    order = _order(ctx, order_id)
    customer = ctx.world["customers"][order["customer_id"]]
    verified = customer["email"].lower() == email.strip().lower()
    return {"verified": verified, "customer_name": customer["name"] if verified else None}


@tool
def cancel_order(order_id: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Cancel an order that has not shipped yet; the payment is released in full.

    Args:
        order_id: The order to cancel.
    """
    key = order_id.strip().upper()
    order = _order(ctx, key)
    if order["status"] not in CANCELLABLE:
        raise ToolError("not_cancellable", f"order {key} is {order['status']}")
    order["status"] = "cancelled"
    payment = ctx.world["payments"][order["payment_id"]]
    payment["status"] = "voided"
    return {"order_id": key, "status": "cancelled", "released_amount": order["total"]}


@tool
def refund_order(
    order_id: str,
    reason: Literal["damaged", "wrong_item", "not_delivered", "changed_mind", "other"],
    *,
    ctx: ToolContext,
) -> dict[str, Any]:
    """Refund a shipped or delivered order in full to the original payment method.

    Args:
        order_id: The order to refund.
        reason: Why the customer wants a refund.
    """
    key = order_id.strip().upper()
    order = _order(ctx, key)
    if order["status"] not in REFUNDABLE:
        raise ToolError("not_refundable", f"order {key} is {order['status']}")
    payment = ctx.world["payments"][order["payment_id"]]
    refund_id = _next_id(ctx, "refunds", "R")
    payment["refunded"] = order["total"]
    payment["status"] = "refunded"
    order["status"] = "refunded"
    ctx.world.setdefault("refunds", []).append(
        {"refund_id": refund_id, "order_id": key, "amount": order["total"], "reason": reason}
    )
    return {"refund_id": refund_id, "order_id": key, "amount": order["total"], "method": payment["method"]}


@tool
def change_address(order_id: str, new_address: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Change the shipping address of an order that has not shipped yet.

    Args:
        order_id: The order to change.
        new_address: The full new shipping address.
    """
    key = order_id.strip().upper()
    order = _order(ctx, key)
    if order["status"] not in ADDRESS_CHANGEABLE:
        raise ToolError("address_locked", f"order {key} is {order['status']}")
    order["shipping_address"] = new_address.strip()
    return {"order_id": key, "shipping_address": order["shipping_address"]}


@tool
def lookup_payment(order_id: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Look up the payment of an order: amount, method, status and amount refunded.

    Args:
        order_id: The order whose payment to show.
    """
    order = _order(ctx, order_id)
    payment = ctx.world["payments"][order["payment_id"]]
    return {
        "order_id": order_id.strip().upper(),
        "amount": payment["amount"],
        "method": payment["method"],
        "status": payment["status"],
        "refunded": payment.get("refunded", 0),
    }


@tool
def ship_replacement(order_id: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Send the right items again for a delivered order that arrived with the wrong ones, with a return label.

    Args:
        order_id: The order that arrived with the wrong items.
    """
    key = order_id.strip().upper()
    order = _order(ctx, key)
    if order["status"] != "delivered":
        raise ToolError("not_delivered", f"order {key} is {order['status']}")
    replacement_id = _next_id(ctx, "replacements", "X")
    order["replacement_order_id"] = replacement_id
    return {"order_id": key, "replacement_order_id": replacement_id, "return_label": f"RL-{key}"}


@tool
def escalate_to_human(reason: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Open a ticket for a human colleague, who takes over the conversation.

    Args:
        reason: Why the conversation is handed to a person.
    """
    ticket_id = _next_id(ctx, "tickets", "T")
    ctx.world.setdefault("tickets", []).append(
        {"ticket_id": ticket_id, "conversation_id": ctx.conversation_id, "reason": reason}
    )
    return {"ticket_id": ticket_id, "queue": "customer_care"}
