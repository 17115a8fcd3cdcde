"""Reply templates: where an agent's words repeat what a tool just returned, the value becomes a placeholder.

"Your current balance is 5068 in credit." right after a balance lookup that returned `item.BankBalance = 5068`
becomes "Your current balance is {{ results.bank_balance.item.BankBalance }} in credit." A field counts when
it appears in most utterances of the step that follow a call, so a coincidence in one conversation does not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from rehearsal.insights.conversation import Conversation, ToolCallRecord
from rehearsal.insights.flows.discriminators import flatten
from rehearsal.insights.flows.models import LabelledConversation, StepKind
from rehearsal.insights.flows.tools import slug

_MIN_LENGTH = 2
"""Shorter values ("1", "a") turn up in text by chance."""


def _fields(result: Any) -> dict[str, str]:
    if not isinstance(result, Mapping):
        return {}
    values = {}
    for path, value in flatten(result, depth=3).items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        text = str(value).strip()
        if len(text) >= _MIN_LENGTH:
            values[path] = text
    return values


def _found(text: str, fields: Mapping[str, str]) -> dict[str, str]:
    return {
        path: value
        for path, value in fields.items()
        if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE)
    }


def reply_templates(
    conversations: Sequence[LabelledConversation], sources: Mapping[str, Conversation], *, share: float = 0.5
) -> dict[str, str]:
    """Step → its reply with the tool-result values it repeats replaced by `{{ results.TOOL.PATH }}`."""
    seen: dict[str, list[tuple[str, str, dict[str, str]]]] = {}
    for conversation in conversations:
        source = sources[conversation.conversation_id]
        for before, event in pairwise(conversation.events):
            if before.kind is not StepKind.CALL or event.kind is not StepKind.SAY:
                continue
            call = _call_of(source.turns[before.turn].tool_calls, before.text)
            if call is None:
                continue
            found = _found(event.text, _fields(call.result))
            seen.setdefault(event.step, []).append((slug(call.name, 64), event.text, found))
    templates = {}
    for step, occurrences in seen.items():
        paths = Counter(path for _, _, found in occurrences for path in found)
        common = {path for path, n in paths.items() if n >= share * len(occurrences)}
        complete = [(tool, text, found) for tool, text, found in occurrences if common <= set(found)]
        if not common or not complete:
            continue
        texts = Counter(text for _, text, _ in complete)
        tool, text, found = next(o for o in complete if o[1] == texts.most_common(1)[0][0])
        # Longer values first, so that "12" inside "123" is not replaced before "123" is.
        for path in sorted(common, key=lambda p: -len(found[p])):
            pattern = rf"(?<!\w){re.escape(found[path])}(?!\w)"
            text = re.sub(pattern, f"{{{{ results.{tool}.{path} }}}}", text, count=1, flags=re.IGNORECASE)
        templates[step] = text
    return templates


def _call_of(calls: Sequence[ToolCallRecord], name: str) -> ToolCallRecord | None:
    return next((call for call in reversed(calls) if call.name == name), None)
