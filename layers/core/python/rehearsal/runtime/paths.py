"""Dotted paths into conversation state (``slots.order_id``, ``results.lookup_order.status``).

Templates, conditions and fact grants all read state through one resolver, so the same path means the same
thing everywhere. Paths are split once and cached: they come from the bundle, a small fixed set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

MISSING: Any = object()
"""Returned for a path that does not resolve (distinct from a stored ``None``)."""


@lru_cache(maxsize=4096)
def split_path(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.strip().split(".") if part)


def resolve(scope: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` in ``scope``, or ``MISSING``. List items are addressed by index (``items.0``)."""
    current: Any = scope
    for part in split_path(path):
        if isinstance(current, Mapping):
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, Sequence) and not isinstance(current, str) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(current) <= index < len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current
