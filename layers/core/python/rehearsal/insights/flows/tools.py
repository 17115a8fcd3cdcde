"""Tool catalog from tool-call logs: names, operations, argument and result schemas, outcomes, errors."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rehearsal.insights.conversation import ToolCallRecord
from rehearsal.insights.flows.discriminators import discriminator_value, find_discriminator, flatten
from rehearsal.insights.flows.models import ObservedOutcome, ToolSpec
from rehearsal.insights.flows.schema_infer import infer_schema

CALL_PREFIX = "call:"
_SLUG = re.compile(r"[^a-z0-9]+")
# A categorical search parameter (location, colour) also has few values; only a field named like an operation
# selector splits a tool into operations.
# Likewise a result echoes inputs (hotel or driver names); only a status-like field says how the call went.
_STATUS = re.compile(r"(status|message|result|state|code|outcome|success|available|error)", re.IGNORECASE)
_OPERATION = re.compile(r"(type|action|operation|^op$|mode|method|kind|command)", re.IGNORECASE)


def slug(text: str, limit: int = 40) -> str:
    return _SLUG.sub("_", text.lower()).strip("_")[:limit] or "x"


@dataclass
class CallProfile:
    """Per tool: the argument that selects an operation and the result field that reports a status."""

    mode_argument: dict[str, str | None] = field(default_factory=dict)
    status_field: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_calls(cls, calls: Iterable[ToolCallRecord]) -> CallProfile:
        by_tool: dict[str, list[ToolCallRecord]] = {}
        for call in calls:
            by_tool.setdefault(call.name, []).append(call)
        profile = cls()
        for name, records in by_tool.items():
            profile.mode_argument[name] = find_discriminator(
                [r.arguments for r in records], name_pattern=_OPERATION, max_values=4, min_presence=0.9
            )
            # A status may be reported only on failure ({"Message": "No ride found"} next to full items).
            profile.status_field[name] = find_discriminator(
                [flatten(r.result) for r in records if isinstance(r.result, Mapping)],
                name_pattern=_STATUS,
                min_presence=0.25,
            )
        return profile

    def step_id(self, call: ToolCallRecord) -> str:
        """`call:TOOL`, or `call:TOOL:MODE` when the tool has an operation argument (check vs book)."""
        mode = discriminator_value(call.arguments, self.mode_argument.get(call.name))
        return f"{CALL_PREFIX}{call.name}" + (f":{slug(mode)}" if mode else "")

    def result_signature(self, call: ToolCallRecord) -> str:
        """A low-cardinality name for what came back: `error:CODE`, `empty`, `Message=Available`, `ok`."""
        if call.error:
            return f"error:{slug(call.error, 30)}"
        result = call.result
        if result is None or result in ([], {}) or (isinstance(result, Mapping) and not any(result.values())):
            return "empty"
        if isinstance(result, Mapping):
            status_field = self.status_field.get(call.name)
            status = discriminator_value(flatten(result), status_field)
            if status:
                return f"{status_field}={status}"
        return "ok"


_SIDE_EFFECT = re.compile(
    r"book|cancel|submit|report|pay|transfer|update|create|delete|refund|place|reserve|send|change", re.I
)


def side_effect_operations(spec: ToolSpec) -> list[str | None]:
    """The operations of a tool that change the world (a booking, a refund), judged by their names.

    `[None]` means the tool as a whole (it has no operation argument); an empty list means read-only.
    """
    operations = (
        spec.input_schema.get("properties", {}).get(spec.mode_argument, {}).get("enum", [])
        if spec.mode_argument
        else []
    )
    if _SIDE_EFFECT.search(spec.name) and not operations:
        return [None]
    changing: list[str | None] = [str(o) for o in operations if _SIDE_EFFECT.search(str(o))]
    return changing or ([None] if _SIDE_EFFECT.search(spec.name) else [])


def build_tool_catalog(
    calls: Iterable[tuple[str, ToolCallRecord]], profile: CallProfile, *, max_outcomes: int = 8
) -> list[ToolSpec]:
    """One spec per tool name from (group, call) pairs."""
    by_tool: dict[str, list[tuple[str, ToolCallRecord]]] = {}
    for group, call in calls:
        by_tool.setdefault(call.name, []).append((group, call))
    specs = []
    for name in sorted(by_tool):
        records = [call for _, call in by_tool[name]]
        results = [call.result for call in records if call.error is None and call.result is not None]
        outcomes = _observed(
            ((profile.result_signature(c), c.result) for c in records if c.error is None), max_outcomes
        )
        errors = _observed(((profile.result_signature(c), c.error) for c in records if c.error), max_outcomes)
        specs.append(
            ToolSpec(
                name=name,
                calls=len(records),
                mode_argument=profile.mode_argument.get(name),
                input_schema=infer_schema([call.arguments for call in records]),
                output_schema=infer_schema(results) if results else None,
                outcomes=outcomes,
                errors=errors,
                groups=sorted({group for group, _ in by_tool[name]}),
            )
        )
    return specs


def _observed(pairs: Iterable[tuple[str, object]], limit: int) -> list[ObservedOutcome]:
    counts: Counter[str] = Counter()
    example: dict[str, object] = {}
    for signature, value in pairs:
        counts[signature] += 1
        example.setdefault(signature, value)
    return [
        ObservedOutcome(signature=signature, count=count, example=example[signature])
        for signature, count in counts.most_common(limit)
    ]
