"""Infer a JSON schema from observed values: what a tool was really called with and what it returned."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

_FORMATS = (
    ("date-time", re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")),
    ("date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)),
)
MAX_ENUM = 8
"""A string field with at most this many distinct values (each seen twice on average) becomes an enum."""
MAX_EXAMPLES = 3


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def infer_schema(values: Sequence[Any]) -> dict[str, Any]:
    """A JSON schema every observed value satisfies, as tight as the observations allow."""
    by_type: dict[str, list[Any]] = {}
    for value in values:
        by_type.setdefault(_type_name(value), []).append(value)
    if "integer" in by_type and "number" in by_type:
        by_type["number"].extend(by_type.pop("integer"))
    schemas = [_schema_for(kind, observed) for kind, observed in sorted(by_type.items())]
    if not schemas:
        return {}
    return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}


def _schema_for(kind: str, values: list[Any]) -> dict[str, Any]:
    if kind == "object":
        return _object_schema(values)
    if kind == "array":
        return {"type": "array", "items": infer_schema([item for value in values for item in value])}
    if kind == "string":
        return _string_schema(values)
    if kind in ("integer", "number"):
        return {"type": kind, "minimum": min(values), "maximum": max(values)}
    return {"type": kind}


def _object_schema(values: list[dict[str, Any]]) -> dict[str, Any]:
    keys: Counter[str] = Counter(key for value in values for key in value)
    properties = {key: infer_schema([value[key] for value in values if key in value]) for key in sorted(keys)}
    required = sorted(key for key, seen in keys.items() if seen == len(values))
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _string_schema(values: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for name, pattern in _FORMATS:
        if all(pattern.match(value) for value in values):
            schema["format"] = name
            return schema
    distinct = Counter(values)
    if len(distinct) <= MAX_ENUM and len(values) >= 2 * len(distinct):
        schema["enum"] = sorted(distinct)
    else:
        schema["examples"] = [value for value, _ in distinct.most_common(MAX_EXAMPLES)]
    return schema
