"""Routing between sub-agents: which agent should own a recognized intent or a message."""

from __future__ import annotations

import re

from rehearsal.bundles.schema import AgentBundle, RouterRule
from rehearsal.runtime.nlu import IntentMatch


class Router:
    def __init__(self, bundle: AgentBundle) -> None:
        rules = bundle.router.rules if bundle.router else []
        self._rules: list[tuple[RouterRule, re.Pattern[str] | None]] = [
            (
                rule,
                re.compile("|".join(f"(?:{p})" for p in rule.patterns), re.IGNORECASE)
                if rule.patterns
                else None,
            )
            for rule in rules
        ]

    def target(self, match: IntentMatch, text: str) -> str | None:
        """The first rule's agent whose intents include the match or whose patterns match the text; else the
        agent that declares the intent (None when out of scope and no pattern matches)."""
        for rule, pattern in self._rules:
            if (match.intent is not None and match.intent in rule.intents) or (
                pattern and pattern.search(text)
            ):
                return rule.to
        return match.agent
