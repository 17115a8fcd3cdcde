"""A small scripted refund desk that speaks through the runtime's session interface (a fake, not a mock)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rehearsal.bundles.schema import EndReason
from rehearsal.runtime.state import AgentReply, ConversationState

ORDER = re.compile(r"\bA\d{4}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.\w+")
HUMAN = re.compile(r"human|real person|a person", re.IGNORECASE)
DENIAL = "Unfortunately I can't refund that order: our policy only allows refunds within 30 days."
YES = re.compile(r"^\W*(yes|yeah|sure|that's right)", re.IGNORECASE)


@dataclass
class DeskPolicy:
    deny: bool = False  # refuses every refund, citing the policy
    hand_off_on_request: bool = True
    ask_email: bool = True
    confused: bool = False  # never understands anything
    crash_on: str | None = None  # raises when a customer message contains this


class RefundDesk:
    """Asks for the order number and email, confirms, refunds in the world; ends on thanks."""

    def __init__(self, conversation_id: str, world: dict[str, Any], policy: DeskPolicy) -> None:
        self.world = world
        self.policy = policy
        self.state = ConversationState(
            conversation_id=conversation_id, bundle_name="desk", bundle_version="v0", active_agent="desk"
        )
        self.order: str | None = None
        self.email: str | None = None
        self.confirming = False

    def open(self) -> AgentReply:
        return self._say("Hello, this is Acme support. How can I help you today?")

    async def aopen(self) -> AgentReply:
        return self.open()

    async def arespond(self, text: str) -> AgentReply:
        return self.respond(text)

    def respond(self, text: str) -> AgentReply:
        self.state.add_turn("customer", text)
        if self.policy.crash_on and self.policy.crash_on in text:
            raise RuntimeError("the desk fell over")
        if self.policy.confused:
            return self._say("Sorry, I didn't catch that. Could you rephrase?")
        if HUMAN.search(text) and self.policy.hand_off_on_request:
            return self._say("Let me connect you with a colleague.", ended=EndReason.ESCALATED)
        if re.search(r"\b(thanks|thank you|bye)\b", text, re.IGNORECASE) and self.confirming is None:
            return self._say("You're welcome, goodbye!", ended=EndReason.RESOLVED)
        self.order = self.order or _first(ORDER, text)
        self.email = self.email or _first(EMAIL, text)
        if self.confirming and YES.search(text):
            return self._refund()
        if self.order is None:
            return self._say("Sure. What is your order number?")
        if self.policy.ask_email and self.email is None:
            return self._say("Thanks. Could you please confirm the email on the order?")
        if self.policy.deny:
            return self._say(DENIAL)
        self.confirming = True
        return self._say(f"Shall I go ahead and refund order {self.order}?")

    def _refund(self) -> AgentReply:
        self.world["orders"][self.order]["status"] = "refunded"
        self.confirming = None  # type: ignore[assignment]  # done; a thanks now ends the chat
        return self._say("Done: your refund has been processed. Anything else?")

    def _say(self, text: str, ended: EndReason | None = None) -> AgentReply:
        self.state.add_turn("agent", text, agent="desk")
        self.state.ended = ended or self.state.ended
        return AgentReply(messages=[text], ended=ended)


class DeskRuntime:
    def __init__(self, policy: DeskPolicy | None = None) -> None:
        self.policy = policy or DeskPolicy()

    def start(self, conversation_id: str, *, world: dict[str, Any] | None = None) -> RefundDesk:
        return RefundDesk(conversation_id, world if world is not None else {}, self.policy)


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0) if match else None
