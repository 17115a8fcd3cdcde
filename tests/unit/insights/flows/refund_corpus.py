"""A tiny, hand-built refund domain: customers ask for refunds; agents check the order, then refund or deny.

Every conversation follows one seeded script so that tests know exactly which steps, branches and outcomes
the corpus holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Outcome, Speaker, ToolCallRecord

ASK_ORDER = "Could you tell me your order number, please?"
CONFIRM = "Your order can be refunded. Shall I go ahead?"
DONE = "Your refund has been issued."
DENY = "I am sorry, this order cannot be refunded."
ANYTHING = "Is there anything else I can help with?"


@dataclass(frozen=True)
class Script:
    eligible: bool = True
    accepts: bool = True
    remembers: bool = True
    wants_human: bool = False
    request: str = "I want a refund for my order"


def _customer(text: str) -> HistoricalTurn:
    return HistoricalTurn(speaker=Speaker.CUSTOMER, text=text)


def _agent(text: str, action: str | None) -> HistoricalTurn:
    return HistoricalTurn(speaker=Speaker.HUMAN_AGENT, text=text, action=action)


def _call(
    name: str, arguments: dict[str, Any], result: Any = None, error: str | None = None
) -> HistoricalTurn:
    call = ToolCallRecord(name=name, arguments=arguments, result=result, error=error)
    return HistoricalTurn(speaker=Speaker.SYSTEM, tool_calls=[call])


def conversation(index: int, script: Script, *, labelled: bool = True, task: str = "refund") -> Conversation:
    def say(text: str, action: str) -> HistoricalTurn:
        return _agent(text, action if labelled else None)

    order = f"A{1000 + index}"
    turns = [_customer(script.request), say(ASK_ORDER, "ask_order")]
    if not script.remembers:
        turns += [_customer("I don't remember it, sorry"), say(DENY, "deny_refund")]
        return Conversation(id=f"c{index}", turns=turns, outcome=Outcome.ABANDONED, metadata={"task": task})
    turns.append(_customer(f"It is {order}"))
    status = "eligible" if script.eligible else "ineligible"
    turns.append(
        _call("orders", {"order_id": order, "RequestType": "Check"}, {"status": status, "total": 10 + index})
    )
    outcome = Outcome.RESOLVED
    if script.eligible:
        turns.append(say(CONFIRM, "confirm_refund"))
        if script.accepts:
            turns += [
                _customer("yes please"),
                _call("orders", {"order_id": order, "RequestType": "Refund"}, {"status": "refunded"}),
            ]
            turns.append(say(DONE, "refund_done"))
        else:
            turns.append(_customer("no, I changed my mind"))
    else:
        turns.append(say(DENY, "deny_refund"))
        if script.wants_human:
            turns.append(_customer("That is ridiculous, I want to speak to a human"))
            outcome = Outcome.ESCALATED
    turns += [say(ANYTHING, "anything_else"), _customer("no thanks")]
    return Conversation(id=f"c{index}", turns=turns, outcome=outcome, metadata={"task": task})


def refund_corpus(*, labelled: bool = True, task: str = "refund") -> list[Conversation]:
    """20 conversations: 10 refunded, 3 declined, 5 ineligible (3 escalated), 2 without an order number."""
    scripts = (
        [Script()] * 10
        + [Script(accepts=False)] * 3
        + [Script(eligible=False)] * 2
        + [Script(eligible=False, wants_human=True)] * 3
        + [Script(remembers=False)] * 2
    )
    return [conversation(i, script, labelled=labelled, task=task) for i, script in enumerate(scripts)]
