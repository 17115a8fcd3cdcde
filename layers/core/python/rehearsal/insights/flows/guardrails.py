"""Guardrails of a drafted bundle, from the evidence: a turn limit from how long conversations ran, hand-over
phrases customers used, and preconditions on world-changing tools from the calls that always came first."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from rehearsal.bundles.schema import (
    AgentBundle,
    EscalationTrigger,
    FactGrant,
    Guardrails,
    ToolPrecondition,
    TurnLimit,
)
from rehearsal.insights.conversation import Conversation, Speaker
from rehearsal.insights.flows.tools import slug

_HUMAN_PHRASES = ("human", "real person", "representative", "supervisor", "manager", "speak to someone")


def guardrails(conversations: Sequence[Conversation]) -> Guardrails:
    """A turn limit half again above the 95th percentile of agent turns, and a hand-over trigger on the
    phrases customers used to ask for a person (a standard list when they never did)."""
    turns = sorted(
        sum(t.speaker in (Speaker.HUMAN_AGENT, Speaker.AI_AGENT) for t in c.turns) for c in conversations
    )
    p95 = turns[min(len(turns) - 1, math.ceil(0.95 * len(turns)) - 1)] if turns else 10
    said = " ".join(t.text.lower() for c in conversations for t in c.turns if t.speaker is Speaker.CUSTOMER)
    heard = [p for p in _HUMAN_PHRASES if p in said] or list(_HUMAN_PHRASES)
    return Guardrails(
        turn_limit=TurnLimit(max_agent_turns=max(10, math.ceil(1.5 * p95))),
        escalation_triggers=[EscalationTrigger(name="asks_for_human", phrases=heard, after_fallbacks=3)],
    )


def with_preconditions(
    bundle: AgentBundle, conversations: Sequence[Conversation], *, share: float = 0.9, min_calls: int = 3
) -> AgentBundle:
    """Guard each side-effect tool with the read-only tool that (nearly) always succeeded before it.

    When a refund was issued only after a successful order lookup in 90% of the transcripts, the draft
    requires the lookup's fact before the refund runs: enforced by the runtime, not by prompt text.
    """
    tools = {tool.name: tool for tool in bundle.tools}
    calls: Counter[str] = Counter()
    preceded: Counter[tuple[str, str]] = Counter()
    for conversation in conversations:
        succeeded: set[str] = set()
        counted: set[str] = set()
        for call in (call for turn in conversation.turns for call in turn.tool_calls):
            name = slug(call.name, 64)
            if name in tools and tools[name].side_effects and name not in counted:
                counted.add(name)
                calls[name] += 1
                preceded.update((earlier, name) for earlier in succeeded if earlier != name)
            if call.error is None:
                succeeded.add(name)
    guards = {
        (earlier, tool)
        for (earlier, tool), n in preceded.items()
        if not tools[earlier].side_effects and calls[tool] >= min_calls and n >= share * calls[tool]
    }
    if not guards:
        return bundle
    fact = {earlier: f"{earlier}_succeeded"[:64] for earlier, _ in guards}
    preconditions = [
        ToolPrecondition(
            tool=tool,
            requires=sorted(fact[e] for e, t in guards if t == tool),
            message="Before I can do that I need to "
            + " and ".join(sorted(e.replace("_", " ") for e, t in guards if t == tool))
            + " first.",
        )
        for tool in sorted({t for _, t in guards})
    ]
    declared = [
        tool.model_copy(update={"grants": [FactGrant(fact=fact[tool.name])]}) if tool.name in fact else tool
        for tool in bundle.tools
    ]
    guardrails = bundle.guardrails.model_copy(update={"tool_preconditions": preconditions})
    return bundle.model_copy(update={"tools": declared, "guardrails": guardrails})
