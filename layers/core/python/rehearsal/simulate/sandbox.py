"""World-state sandbox: each conversation acts on its own deep copy of the world, never on shared data."""

from __future__ import annotations

from typing import Any


def merge_world(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A new world: ``patch`` deep-merged into a copy of ``base``; a ``null`` in the patch deletes the key."""
    merged = copy_json(base)
    _merge_into(merged, patch)
    return merged


def _merge_into(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = copy_json(value)


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), several times faster than ``deepcopy``."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def resolve_path(world: Any, path: str) -> Any:
    """The value at a dotted path (``orders.A1001.status``; list items by index); ``MISSING`` when absent."""
    node = world
    for part in path.split("."):
        if isinstance(node, dict):
            if part not in node:
                return MISSING
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
"""Returned by ``resolve_path`` for a path that does not exist (distinct from a stored ``null``)."""


class Sandbox:
    """One conversation's world: ``world`` is what tools mutate, ``before`` a snapshot from the start."""

    def __init__(self, world: dict[str, Any]) -> None:
        self.before = world  # the caller's world is never written to, so it is the snapshot as it is
        self.world = copy_json(world)
