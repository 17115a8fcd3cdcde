"""What a scenario expects of the agent; every requirement has an id and a criticality.

Argument matchers are written in YAML as a plain value (exact), or one of ``{any: true}``, ``{regex: ...}``,
``{approx: 12.5, tolerance: 0.01}``. Evaluation calls ``matches`` so that matching is defined once, here.
"""

from __future__ import annotations

import math
import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from rehearsal.bundles.schema import EndReason
from rehearsal.simulate.specs.common import Criticality, Spec, SpecId, check_patterns


class ExactMatch(Spec):
    kind: Literal["exact"] = "exact"
    value: Any

    def matches(self, actual: Any) -> bool:
        if isinstance(self.value, str) and isinstance(actual, str):
            return self.value.strip().casefold() == actual.strip().casefold()
        return bool(self.value == actual)


class AnyMatch(Spec):
    kind: Literal["any"] = "any"

    def matches(self, actual: Any) -> bool:
        return actual is not None


class RegexMatch(Spec):
    kind: Literal["regex"] = "regex"
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        return check_patterns([pattern])[0]

    @cached_property
    def _compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE)

    def matches(self, actual: Any) -> bool:
        return actual is not None and self._compiled.search(str(actual)) is not None


class NumberMatch(Spec):
    kind: Literal["number"] = "number"
    approx: float
    tolerance: Annotated[float, Field(ge=0)] = 0.0

    def matches(self, actual: Any) -> bool:
        try:
            number = float(actual)
        except (TypeError, ValueError):
            return False
        return math.isfinite(number) and abs(number - self.approx) <= self.tolerance + 1e-9


ArgMatcher = Annotated[ExactMatch | AnyMatch | RegexMatch | NumberMatch, Field(discriminator="kind")]
_MATCHER_KEYS = {"exact": "exact", "any": "any", "regex": "regex", "approx": "number"}


def _matcher_shorthand(raw: Any) -> Any:
    """Turn the YAML shorthand (plain value, ``{regex: ...}`` …) into a tagged matcher."""
    if isinstance(raw, dict) and "kind" not in raw:
        keys = set(raw) & set(_MATCHER_KEYS)
        if len(keys) == 1:
            key = keys.pop()
            rest = {k: v for k, v in raw.items() if k != key}
            if key == "exact":
                return {"kind": "exact", "value": raw[key], **rest}
            if key == "any":
                return {"kind": "any", **rest}
            if key == "regex":
                return {"kind": "regex", "pattern": raw[key], **rest}
            return {"kind": "number", "approx": raw[key], **rest}
    if isinstance(raw, dict) and "kind" in raw:
        return raw
    return {"kind": "exact", "value": raw}


class _Requirement(Spec):
    id: SpecId | None = Field(None, description="Defaults to a readable id derived from the requirement.")
    criticality: Criticality = Criticality.MAJOR
    description: str = ""

    def default_id(self) -> str:
        raise NotImplementedError

    @property
    def requirement_id(self) -> str:
        return self.id or self.default_id()


class _ToolCallPattern(_Requirement):
    tool: str = Field(min_length=1)
    args: dict[str, ArgMatcher] = Field(default_factory=dict, description="Arg → matcher.")

    @field_validator("args", mode="before")
    @classmethod
    def _shorthand(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {name: _matcher_shorthand(value) for name, value in raw.items()}
        return raw

    def matches_arguments(self, arguments: dict[str, Any]) -> bool:
        return all(matcher.matches(arguments.get(name)) for name, matcher in self.args.items())


class RequiredToolCall(_ToolCallPattern):
    after: list[SpecId] = Field(
        default_factory=list, description="Ids of required calls that must happen before this one."
    )
    status: Literal["ok", "any"] = Field("ok", description="`ok`: the call must succeed.")

    def default_id(self) -> str:
        return f"calls:{self.tool}"


class ForbiddenToolCall(_ToolCallPattern):
    """A call that must not succeed (nor be tried, with ``even_attempted``), e.g. an unverified refund."""

    even_attempted: bool = Field(False, description="Also fail when the call was attempted but blocked.")

    def default_id(self) -> str:
        return f"never:{self.tool}"


WorldOp = Literal[
    "eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "approx", "exists", "missing", "matches"
]


class WorldAssertion(_Requirement):
    """An assertion over the world after the conversation; ``path`` is dotted (``orders.A1001.status``)."""

    path: str = Field(pattern=r"^[^.\s][^\s]*$")
    op: WorldOp = "eq"
    value: Any = None
    tolerance: Annotated[float, Field(ge=0)] = 0.0

    def default_id(self) -> str:
        return f"state:{self.path}"


class BehaviourRequirement(_Requirement):
    behaviour: str = Field(min_length=1, description="A behaviour name from the suite's behaviours file.")

    def default_id(self) -> str:
        return f"behaviour:{self.behaviour}"


class EndReasonExpectation(_Requirement):
    one_of: list[EndReason] = Field(min_length=1)

    @field_validator("one_of", mode="before")
    @classmethod
    def _single(cls, raw: Any) -> Any:
        return [raw] if isinstance(raw, str) else raw

    def default_id(self) -> str:
        return "end_reason"


class RouteExpectation(_Requirement):
    """The conversation must reach a sub-agent and/or have an intent recognised."""

    agent: str | None = None
    intent: str | None = None

    @model_validator(mode="after")
    def _something(self) -> RouteExpectation:
        if self.agent is None and self.intent is None:
            raise ValueError("a route names an `agent`, an `intent`, or both")
        return self

    def default_id(self) -> str:
        return "route:" + "/".join(part for part in (self.agent, self.intent) if part)


class TurnLimitExpectation(_Requirement):
    max_agent_turns: Annotated[int, Field(ge=1)]

    def default_id(self) -> str:
        return "max_turns"


class Expectations(Spec):
    end_state: list[WorldAssertion] = Field(default_factory=list)
    end_reason: EndReasonExpectation | None = None
    tool_calls: list[RequiredToolCall] = Field(default_factory=list)
    forbidden_tool_calls: list[ForbiddenToolCall] = Field(default_factory=list)
    behaviours: list[BehaviourRequirement] = Field(default_factory=list, description="Required behaviours.")
    forbidden_behaviours: list[BehaviourRequirement] = Field(default_factory=list)
    routes: list[RouteExpectation] = Field(default_factory=list)
    max_turns: TurnLimitExpectation | None = None

    @field_validator("end_reason", mode="before")
    @classmethod
    def _reason_shorthand(cls, raw: Any) -> Any:
        return {"one_of": raw} if isinstance(raw, str | list) else raw

    @field_validator("max_turns", mode="before")
    @classmethod
    def _turns_shorthand(cls, raw: Any) -> Any:
        return {"max_agent_turns": raw} if isinstance(raw, int) else raw

    def requirements(self) -> list[_Requirement]:
        """Every requirement, in a stable order."""
        single = [req for req in (self.end_reason, self.max_turns) if req is not None]
        return [
            *self.end_state,
            *single,
            *self.tool_calls,
            *self.forbidden_tool_calls,
            *self.behaviours,
            *self.forbidden_behaviours,
            *self.routes,
        ]

    @model_validator(mode="after")
    def _unique_ids(self) -> Expectations:
        seen: set[str] = set()
        for requirement in self.requirements():
            rid = requirement.requirement_id
            if rid in seen:
                raise ValueError(f"duplicate requirement id {rid!r}: give one of them an explicit `id`")
            seen.add(rid)
        known_calls = {call.requirement_id for call in self.tool_calls}
        for call in self.tool_calls:
            for before in call.after:
                if before not in known_calls:
                    raise ValueError(f"{call.requirement_id}: `after` names unknown required call {before!r}")
        return self
