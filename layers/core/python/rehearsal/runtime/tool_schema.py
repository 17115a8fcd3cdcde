"""JSON Schema from a Python function's type hints and docstring (the ``@tool`` declaration)."""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_ARG_LINE = re.compile(r"^\s*(\w+)\s*(?:\([^)]*\))?\s*:\s*(.+)$")
CONTEXT_PARAMETER = "ctx"


def schema_for(annotation: Any) -> dict[str, Any]:
    """The JSON Schema of one annotation; unknown types give an unconstrained schema."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation in _SCALARS:
        return {"type": _SCALARS[annotation]}
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (Union, types.UnionType):
        members = [arg for arg in args if arg is not type(None)]
        inner = (
            schema_for(members[0]) if len(members) == 1 else {"anyOf": [schema_for(arg) for arg in members]}
        )
        return {"anyOf": [inner, {"type": "null"}]} if len(members) < len(args) else inner
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple):
        return {"type": "array", "items": schema_for(args[0])} if args else {"type": "array"}
    if origin is dict or annotation is dict:
        return {"type": "object"}
    if origin is typing.Annotated:
        return schema_for(args[0])
    return {}


def _is_optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def describe(function: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """The docstring's first paragraph, and argument descriptions from its ``Args:`` section."""
    doc = inspect.getdoc(function) or ""
    summary, _, rest = doc.partition("\n\n")
    arguments: dict[str, str] = {}
    in_args = False
    for line in rest.splitlines():
        if line.strip().lower() in ("args:", "arguments:", "parameters:"):
            in_args = True
            continue
        if in_args and (match := _ARG_LINE.match(line)):
            arguments[match.group(1)] = match.group(2).strip()
        elif in_args and line.strip() and not line.startswith((" ", "\t")):
            in_args = False
    return " ".join(summary.split()), arguments


def input_schema(function: Callable[..., Any]) -> tuple[dict[str, Any], bool]:
    """The object schema of the function's parameters, and whether it takes the ``ctx`` parameter."""
    hints = typing.get_type_hints(function, include_extras=True)
    _, argument_docs = describe(function)
    properties: dict[str, Any] = {}
    required: list[str] = []
    takes_context = False
    for name, parameter in inspect.signature(function).parameters.items():
        if name == CONTEXT_PARAMETER:
            takes_context = True
            continue
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(name, Any)
        schema = schema_for(annotation)
        if name in argument_docs:
            schema["description"] = argument_docs[name]
        properties[name] = schema
        if parameter.default is inspect.Parameter.empty and not _is_optional(annotation):
            required.append(name)
    result: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        result["required"] = required
    return result, takes_context
