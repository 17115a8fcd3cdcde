"""``{{ path }}`` templates: placeholders are looked up with ``paths.resolve``, never evaluated.

A template is parsed once into literal and path parts (cached), so rendering a reply costs a few lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rehearsal.bundles.templates import PLACEHOLDER
from rehearsal.runtime.paths import MISSING, resolve


@dataclass(frozen=True)
class Template:
    """A parsed template: ``parts`` alternate literal text (even indexes) and paths (odd indexes)."""

    source: str
    parts: tuple[str, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return self.parts[1::2]

    @property
    def single_path(self) -> str | None:
        """The path when the whole template is one placeholder (its value keeps its type)."""
        if len(self.parts) == 3 and not self.parts[0] and not self.parts[2]:
            return self.parts[1]
        return None


@dataclass
class Rendered:
    text: str
    missing: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)
def parse(source: str) -> Template:
    return Template(source=source, parts=tuple(PLACEHOLDER.split(source)))


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}" if value != int(value) else str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(format_value(item) for item in value)
    return "" if value is None else str(value)


def render(source: str, scope: Mapping[str, Any]) -> Rendered:
    """Render ``source``; unresolved placeholders become empty text and are listed in ``missing``."""
    template = parse(source)
    if len(template.parts) == 1:
        return Rendered(source)
    out: list[str] = []
    missing: list[str] = []
    for index, part in enumerate(template.parts):
        if index % 2 == 0:
            out.append(part)
            continue
        value = resolve(scope, part)
        if value is MISSING:
            missing.append(part)
        else:
            out.append(format_value(value))
    return Rendered("".join(out), missing)


def render_value(value: Any, scope: Mapping[str, Any]) -> tuple[Any, list[str]]:
    """Render a tool argument: a lone placeholder keeps the value's type; dicts and lists render deeply."""
    if isinstance(value, str):
        template = parse(value)
        path = template.single_path
        if path is not None:
            resolved = resolve(scope, path)
            return (None, [path]) if resolved is MISSING else (resolved, [])
        rendered = render(value, scope)
        return rendered.text, rendered.missing
    if isinstance(value, dict):
        missing: list[str] = []
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[key], item_missing = render_value(item, scope)
            missing.extend(item_missing)
        return out, missing
    if isinstance(value, list):
        items = [render_value(item, scope) for item in value]
        return [item for item, _ in items], [path for _, paths in items for path in paths]
    return value, []
