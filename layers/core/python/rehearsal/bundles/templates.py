"""What the bundle's ``{{ path }}`` placeholders and condition paths may name.

The runtime renders placeholders by looking paths up in the conversation's scope; validation uses the same
placeholder syntax to catch a typo'd slot or tool before a conversation renders an empty value.
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")
_BRACES = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

SCOPE_ROOTS = frozenset({"slots", "vars", "results", "facts", "agent", "last_result", "last_error"})
"""Names a path may start with; ``slots``, ``results`` and ``facts`` are checked against the bundle."""


def placeholder_paths(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def malformed_placeholders(text: str) -> list[str]:
    """``{{ … }}`` spans the renderer would leave as literal text (filters, expressions, empty)."""
    return [match.group(0) for match in _BRACES.finditer(text) if not PLACEHOLDER.fullmatch(match.group(0))]
