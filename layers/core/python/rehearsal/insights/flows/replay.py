"""Tools of a drafted bundle: declarations from the catalog, bound to a generated module that replays what
the transcripts' tools returned, read from the conversation's world (each scenario sets its own results)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rehearsal.bundles.schema import ErrorShape, PythonBinding, ToolDecl
from rehearsal.insights.flows.models import ToolSpec
from rehearsal.insights.flows.tools import side_effect_operations, slug
from rehearsal.runtime.tool_types import ToolError

TOOLS_MODULE = "draft_tools"
"""The generated module (`draft_tools.py` next to the bundle) the drafted tools are bound to."""
WORLD_KEY = "replay"
"""World key under which each tool's recorded responses are kept: ``replay.<tool>[:<mode>]`` → list."""
_CURSOR_KEY = "replay_cursor"


def replay(tool: str, arguments: Mapping[str, Any], ctx: Any, mode_argument: str | None = None) -> Any:
    """Return the next recorded response for `tool` (and its operation) from the conversation's world."""
    world: dict[str, Any] = ctx.world
    mode = arguments.get(mode_argument) if mode_argument else None
    keys = [f"{tool}:{slug(str(mode))}", tool] if isinstance(mode, str) else [tool]
    store = world.get(WORLD_KEY, {})
    key = next((k for k in keys if store.get(k)), None)
    if key is None:
        raise ToolError("no_recorded_response", f"the world has no recorded response for {tool}")
    cursor = world.setdefault(_CURSOR_KEY, {})
    responses = store[key]
    response = responses[min(cursor.get(key, 0), len(responses) - 1)]
    cursor[key] = cursor.get(key, 0) + 1
    if isinstance(response, Mapping) and response.get("error"):
        raise ToolError(str(response["error"]), str(response.get("message", "")))
    return response.get("result") if isinstance(response, Mapping) else response


def tool_decl(spec: ToolSpec) -> ToolDecl:
    operations = (
        spec.input_schema.get("properties", {}).get(spec.mode_argument, {}).get("enum", [])
        if spec.mode_argument
        else []
    )
    outcomes = ", ".join(f"{o.signature} ({o.count})" for o in spec.outcomes[:4])
    return ToolDecl(
        name=slug(spec.name, 64),
        description=f"Seen {spec.calls} times in transcripts"
        + (f"; operations {', '.join(map(str, operations))}" if operations else "")
        + (f"; outcomes {outcomes}" if outcomes else ""),
        input_schema=loose_schema(spec),
        errors=[
            ErrorShape(code=slug(e.signature.removeprefix("error:"), 64), description=str(e.example)[:200])
            for e in spec.errors
        ],
        binding=PythonBinding(target=f"{TOOLS_MODULE}:{slug(spec.name, 64)}"),
        side_effects=bool(side_effect_operations(spec)),
    )


def loose_schema(spec: ToolSpec) -> dict[str, Any]:
    """Arguments as the draft's slots will send them: any value, documented with what was observed.

    The observed schema (enums of the names seen, integer ranges) describes the transcripts, not what the
    tool accepts; only the operation argument keeps its values, and is required.
    """
    observed: dict[str, Any] = spec.input_schema.get("properties", {})
    properties: dict[str, Any] = {}
    for name, schema in observed.items():
        if name == spec.mode_argument and "enum" in schema:
            properties[name] = {"type": "string", "enum": schema["enum"]}
            continue
        types = sorted({s.get("type", "object") for s in schema.get("anyOf", [schema])})
        properties[name] = {"description": f"Observed as {' or '.join(types)}."}
    loose: dict[str, Any] = {"type": "object", "properties": properties}
    if spec.mode_argument in properties:
        loose["required"] = [spec.mode_argument]
    return loose


def tools_source(specs: Sequence[ToolSpec]) -> str:
    lines = [
        '"""Replay tools for a drafted bundle: each returns what the world says the tool returned."""',
        "",
        "from rehearsal.insights.flows.replay import replay",
    ]
    for spec in specs:
        name = slug(spec.name, 64)
        lines += [
            "",
            "",
            f"def {name}(ctx, **arguments):",
            f"    return replay({spec.name!r}, arguments, ctx, mode_argument={spec.mode_argument!r})",
        ]
    return "\n".join(lines) + "\n"


def base_world(specs: Sequence[ToolSpec]) -> dict[str, Any]:
    responses = {}
    for spec in specs:
        if spec.outcomes:
            responses[spec.name] = [{"result": spec.outcomes[0].example}]
    return {WORLD_KEY: responses}
