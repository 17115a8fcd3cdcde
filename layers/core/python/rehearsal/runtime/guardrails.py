"""Guardrails, enforced by the runtime around either engine (never only by prompt text).

* tool preconditions: a call whose required facts are not verified is blocked before it runs;
* forbidden content: a reply is blocked (replaced) or redacted before it is sent;
* escalation triggers: phrases or patterns in the customer's message, or N consecutive not-understood turns;
* turn limit: the conversation ends with the limit's reason.
Every intervention is a ``GuardrailTriggered`` event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from rehearsal.bundles.schema import HUMAN, EndReason, EscalationTrigger, Guardrails
from rehearsal.runtime.events import GuardrailTriggered
from rehearsal.runtime.turn import TurnContext

REDACTED = "[redacted]"


def _union(phrases: Sequence[str], patterns: Sequence[str]) -> re.Pattern[str] | None:
    parts = [re.escape(phrase) for phrase in phrases] + [f"(?:{pattern})" for pattern in patterns]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


GuardrailKind = Literal["tool_precondition", "forbidden_content", "turn_limit", "escalation_trigger"]
GuardrailAction = Literal["blocked", "redacted", "ended", "handed_off"]


def _record(ctx: TurnContext, name: str, kind: GuardrailKind, action: GuardrailAction, detail: str) -> None:
    ctx.emit(GuardrailTriggered(turn=ctx.turn, guardrail=name, kind=kind, action=action, detail=detail))


class GuardrailSet:
    def __init__(self, guardrails: Guardrails) -> None:
        self.rules = guardrails
        self._requires: dict[str, list[tuple[str, str]]] = {}
        for precondition in guardrails.tool_preconditions:
            for fact in precondition.requires:
                self._requires.setdefault(precondition.tool, []).append((fact, precondition.message))
        self._forbidden = [
            (rule, pattern)
            for rule in guardrails.forbidden_content
            if (pattern := _union(rule.phrases, rule.patterns)) is not None
        ]
        self._message_triggers = [
            (trigger, pattern)
            for trigger in guardrails.escalation_triggers
            if (pattern := _union(trigger.phrases, trigger.patterns)) is not None
        ]
        self._fallback_triggers = [
            trigger for trigger in guardrails.escalation_triggers if trigger.after_fallbacks is not None
        ]

    def check_precondition(self, ctx: TurnContext, tool: str) -> str | None:
        """The message to give when ``tool`` may not run yet (and the event recorded), else None."""
        missing = [
            (fact, message) for fact, message in self._requires.get(tool, ()) if fact not in ctx.state.facts
        ]
        if not missing:
            return None
        facts = ", ".join(fact for fact, _ in missing)
        _record(ctx, f"precondition:{tool}", "tool_precondition", "blocked", f"{tool} requires {facts}")
        return ctx.render(missing[0][1])

    def screen_customer(self, ctx: TurnContext, text: str) -> bool:
        """Fire the first escalation trigger matching the customer's message; True when one fired."""
        for trigger, pattern in self._message_triggers:
            match = pattern.search(text)
            if match:
                self._escalate(ctx, trigger, f"matched {match.group(0)!r}")
                return True
        return False

    def after_engine(self, ctx: TurnContext) -> None:
        """Fallback-count triggers and the turn limit, once the engine has produced its reply."""
        if ctx.ended:
            return
        for trigger in self._fallback_triggers:
            assert trigger.after_fallbacks is not None
            if ctx.state.consecutive_fallbacks >= trigger.after_fallbacks:
                self._escalate(ctx, trigger, f"{ctx.state.consecutive_fallbacks} turns not understood")
                return
        limit = self.rules.turn_limit
        if limit is not None and ctx.state.agent_turn_count + 1 >= limit.max_agent_turns:
            _record(ctx, "turn_limit", "turn_limit", "ended", f"{limit.max_agent_turns} agent turns")
            ctx.say(ctx.render(limit.message))
            ctx.end(limit.end_reason, "turn limit")

    def screen_replies(self, ctx: TurnContext) -> None:
        """Block or redact forbidden content in every message of the turn, before it is sent."""
        if not self._forbidden:
            return
        ctx.messages = [self._screen(ctx, message) for message in ctx.messages]

    def _screen(self, ctx: TurnContext, message: str) -> str:
        for rule, pattern in self._forbidden:
            match = pattern.search(message)
            if match is None:
                continue
            action: GuardrailAction = "blocked" if rule.action == "block" else "redacted"
            _record(ctx, f"forbidden:{rule.name}", "forbidden_content", action, f"matched {match.group(0)!r}")
            if rule.action == "block":
                return rule.replacement
            message = pattern.sub(REDACTED, message)
        return message

    @staticmethod
    def _escalate(ctx: TurnContext, trigger: EscalationTrigger, detail: str) -> None:
        action: GuardrailAction = "handed_off" if trigger.action == "handoff_human" else "ended"
        _record(ctx, f"escalation:{trigger.name}", "escalation_trigger", action, detail)
        ctx.say(ctx.render(trigger.message))
        if trigger.action == "handoff_human":
            ctx.hand_off(HUMAN, f"escalation trigger {trigger.name}")
        else:
            ctx.end(EndReason.GUARDRAIL, f"escalation trigger {trigger.name}")
