"""Cross-reference checks over a structurally valid bundle: every name a bundle uses must exist.

A flow naming an unknown tool, slot, stage or agent; a call to a tool outside the agent's ``tools``; an intent
naming a missing flow; unreachable stages and steps; duplicate names; router rules and guardrails naming
what does not exist; invalid regexes; placeholders naming unknown slots or results; preconditions on facts no
tool grants. Each finding carries the path of the offending value.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rehearsal.bundles.problems import Loc, format_path
from rehearsal.bundles.schema import (
    HUMAN,
    Agent,
    AgentBundle,
    AskStep,
    BranchStep,
    CallStep,
    Condition,
    EndStep,
    Flow,
    GotoStep,
    HandoffStep,
    RespondStep,
    SetStep,
    SlotDef,
    Step,
    ToolDecl,
)
from rehearsal.bundles.templates import SCOPE_ROOTS, malformed_placeholders, placeholder_paths


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    ref: str | None = None
    """The missing name, for "unknown X" findings (not reported when X exists but failed validation)."""
    needs_complete: bool = False
    """Only meaningful when the whole bundle validated (e.g. reachability)."""


@dataclass(frozen=True)
class _Scope:
    """What placeholders and condition paths may name at one place in the bundle."""

    slots: frozenset[str]
    results: frozenset[str]


def check_references(bundle: AgentBundle) -> list[Finding]:
    return _Checker(bundle).run()


def _known(names: Iterable[str]) -> str:
    listed = sorted(names)
    if not listed:
        return " (none declared)"
    more = f", … {len(listed) - 8} more" if len(listed) > 8 else ""
    return f" (known: {', '.join(listed[:8])}{more})"


_LEAVES_STAGE = (GotoStep, HandoffStep, EndStep)


class _Checker:
    def __init__(self, bundle: AgentBundle) -> None:
        self.bundle = bundle
        self.findings: list[Finding] = []
        self.tools = {tool.name: tool for tool in bundle.tools}
        self.agents = {agent.name for agent in bundle.agents}
        self.intents = {intent.name for agent in bundle.agents for intent in agent.intents}
        self.granted = {grant.fact for tool in bundle.tools for grant in tool.grants}

    def add(self, loc: Loc, message: str, *, ref: str | None = None, needs_complete: bool = False) -> None:
        self.findings.append(Finding(loc, message, ref, needs_complete))

    def run(self) -> list[Finding]:
        bundle = self.bundle
        self.unique(bundle.agents, ("agents",), "agent")
        self.unique(bundle.tools, ("tools",), "tool")
        for index, tool in enumerate(bundle.tools):
            self.tool(("tools", index), tool)
        for index, agent in enumerate(bundle.agents):
            self.agent(("agents", index), agent)
        self.guardrails()
        self.router()
        return self.findings

    # --- helpers --------------------------------------------------------------------------------------------

    def unique(self, items: Sequence[Any], loc: Loc, what: str, attribute: str = "name") -> None:
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            name = getattr(item, attribute)
            if name in first:
                where = format_path((*loc, first[name]))
                self.add((*loc, index, attribute), f"duplicate {what} {name!r} (first at {where})")
            else:
                first[name] = index

    def regex(self, pattern: str, loc: Loc) -> None:
        try:
            re.compile(pattern)
        except re.error as error:
            self.add(loc, f"invalid regular expression {pattern!r}: {error}")

    def template(self, text: str | None, loc: Loc, scope: _Scope) -> None:
        if not text:
            return
        for span in malformed_placeholders(text):
            self.add(loc, f"placeholder {span} is not a plain path such as {{{{ slots.order_id }}}}")
        for path in placeholder_paths(text):
            self.path(path, loc, scope)

    def templates_in(self, value: Any, loc: Loc, scope: _Scope) -> None:
        """Templates anywhere inside a literal value (call arguments, set values)."""
        if isinstance(value, str):
            self.template(value, loc, scope)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.templates_in(item, (*loc, str(key)), scope)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.templates_in(item, (*loc, index), scope)

    def path(self, path: str, loc: Loc, scope: _Scope) -> None:
        root, _, rest = path.partition(".")
        name = rest.split(".", 1)[0]
        if root not in SCOPE_ROOTS:
            self.add(
                loc,
                f"{path!r} starts with unknown {root!r}; paths start with {', '.join(sorted(SCOPE_ROOTS))}",
            )
        elif root == "slots" and name and name not in scope.slots:
            self.add(loc, f"{path!r} names unknown slot {name!r}{_known(scope.slots)}", ref=name)
        elif root == "results" and name and name not in scope.results:
            self.add(loc, f"{path!r} names unknown tool result {name!r}{_known(scope.results)}", ref=name)
        elif root == "facts" and name and name not in self.granted:
            self.add(
                loc, f"{path!r}: no tool grants fact {name!r}{_known(self.granted)}", needs_complete=True
            )

    def condition(self, condition: Condition, loc: Loc, check_path: Callable[[str, Loc], None]) -> None:
        check_path(condition.path, (*loc, "path"))
        if condition.op == "matches":
            if isinstance(condition.value, str):
                self.regex(condition.value, (*loc, "value"))
            else:
                self.add((*loc, "value"), "op 'matches' needs a regular expression string as value")
        elif condition.op in ("in", "not_in") and not isinstance(condition.value, list):
            self.add((*loc, "value"), f"op {condition.op!r} needs a list as value")

    def schema_object(self, schema: dict[str, Any], loc: Loc, *, must_be_object: bool) -> None:
        if must_be_object and schema.get("type") != "object":
            self.add((*loc, "type"), "a tool's input_schema must have type: object (its arguments by name)")
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        if not isinstance(properties, dict) or not isinstance(required, list):
            self.add(loc, "properties must be a mapping and required a list")
            return
        for index, name in enumerate(required):
            if name not in properties:
                self.add((*loc, "required", index), f"required {name!r} is not among the properties")

    def scope(self, slots: Iterable[str], agents: Iterable[Agent]) -> _Scope:
        saved = {
            step.save_as
            for agent in agents
            for flow in agent.flows
            for stage in flow.stages
            for step in stage.steps
            if isinstance(step, CallStep) and step.save_as
        }
        return _Scope(slots=frozenset(slots), results=frozenset(self.tools) | frozenset(saved))

    # --- tools ----------------------------------------------------------------------------------------------

    def tool(self, loc: Loc, tool: ToolDecl) -> None:
        self.schema_object(tool.input_schema, (*loc, "input_schema"), must_be_object=True)
        if tool.output_schema is not None and tool.output_schema.get("type") == "object":
            self.schema_object(tool.output_schema, (*loc, "output_schema"), must_be_object=False)
        self.unique(tool.errors, (*loc, "errors"), "error code", "code")
        for index, grant in enumerate(tool.grants):
            for position, condition in enumerate(grant.when):
                self.condition(condition, (*loc, "grants", index, "when", position), self.result_path)

    def result_path(self, path: str, loc: Loc) -> None:
        if path.split(".", 1)[0] != "result":
            self.add(loc, f"{path!r}: a grant's condition reads the tool's result, as result.FIELD")

    # --- agents and flows -----------------------------------------------------------------------------------

    def agent(self, loc: Loc, agent: Agent) -> None:
        scope = self.scope((slot.name for slot in agent.slots), [agent])
        self.unique(agent.intents, (*loc, "intents"), "intent")
        self.unique(agent.flows, (*loc, "flows"), "flow")
        self.unique(agent.slots, (*loc, "slots"), "slot")
        for index, name in enumerate(agent.tools):
            if name not in self.tools:
                self.add((*loc, "tools", index), f"unknown tool {name!r}{_known(self.tools)}", ref=name)
        self.intent_examples(loc, agent)
        flows = {flow.name for flow in agent.flows}
        for index, intent in enumerate(agent.intents):
            if intent.flow is not None and intent.flow not in flows:
                where = (*loc, "intents", index, "flow")
                self.add(
                    where,
                    f"intent {intent.name!r} starts unknown flow {intent.flow!r}{_known(flows)}",
                    ref=intent.flow,
                )
        for index, slot in enumerate(agent.slots):
            self.slot((*loc, "slots", index), slot)
        self.template(agent.greeting, (*loc, "greeting"), scope)
        self.template(agent.fallback, (*loc, "fallback"), scope)
        for index, flow in enumerate(agent.flows):
            self.flow((*loc, "flows", index), agent, flow, scope)

    def intent_examples(self, loc: Loc, agent: Agent) -> None:
        owner: dict[str, str] = {}
        for index, intent in enumerate(agent.intents):
            for position, example in enumerate(intent.examples):
                key = " ".join(example.lower().split())
                other = owner.setdefault(key, intent.name)
                if other != intent.name:
                    where = (*loc, "intents", index, "examples", position)
                    self.add(where, f"example {example!r} is also an example of intent {other!r}")

    def slot(self, loc: Loc, slot: SlotDef) -> None:
        if slot.pattern is not None:
            self.regex(slot.pattern, (*loc, "pattern"))
        if slot.type == "enum" and not slot.choices:
            self.add((*loc, "choices"), "an enum slot needs choices")
        for choice in slot.synonyms:
            if choice not in slot.choices:
                self.add(
                    (*loc, "synonyms", choice), f"synonyms for {choice!r}, which is not among the choices"
                )
        if slot.minimum is not None and slot.maximum is not None and slot.minimum > slot.maximum:
            self.add((*loc, "minimum"), f"minimum {slot.minimum} is above maximum {slot.maximum}")

    def flow(self, loc: Loc, agent: Agent, flow: Flow, scope: _Scope) -> None:
        self.unique(flow.stages, (*loc, "stages"), "stage")
        stage_names = {stage.name for stage in flow.stages}
        edges: dict[str, set[str]] = {}
        for index, stage in enumerate(flow.stages):
            stage_loc = (*loc, "stages", index)
            targets: set[str] = set()

            def goto(name: str | None, where: Loc, targets: set[str] = targets) -> None:
                if name is None:
                    return
                if name in stage_names:
                    targets.add(name)
                else:
                    message = f"unknown stage {name!r} in flow {flow.name!r}{_known(stage_names)}"
                    self.add(where, message, ref=name)

            goto(stage.next, (*stage_loc, "next"))
            left_at: int | None = None
            for position, step in enumerate(stage.steps):
                step_loc = (*stage_loc, "steps", position)
                if left_at is not None and position == left_at + 1:
                    self.add(
                        step_loc, f"never runs: step {left_at} ({stage.steps[left_at].kind}) leaves the stage"
                    )
                self.step(step_loc, step, agent, scope, goto)
                if left_at is None and (
                    isinstance(step, _LEAVES_STAGE) or (isinstance(step, BranchStep) and step.default)
                ):
                    left_at = position
            edges.setdefault(stage.name, set()).update(targets)
        self.reachability(loc, flow, edges)

    def reachability(self, loc: Loc, flow: Flow, edges: dict[str, set[str]]) -> None:
        entry = flow.stages[0].name
        reached = {entry}
        queue = deque([entry])
        while queue:
            for target in edges.get(queue.popleft(), ()):
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        for index, stage in enumerate(flow.stages):
            if stage.name not in reached:
                message = f"stage {stage.name!r} is unreachable from the entry stage {entry!r}"
                self.add((*loc, "stages", index, "name"), message, needs_complete=True)

    def step(
        self, loc: Loc, step: Step, agent: Agent, scope: _Scope, goto: Callable[[str | None, Loc], None]
    ) -> None:
        if isinstance(step, AskStep):
            if step.slot not in scope.slots:
                self.add((*loc, "slot"), f"unknown slot {step.slot!r}{_known(scope.slots)}", ref=step.slot)
            self.template(step.prompt, (*loc, "prompt"), scope)
            self.template(step.reprompt, (*loc, "reprompt"), scope)
        elif isinstance(step, CallStep):
            self.call(loc, step, agent, scope)
            goto(step.on_error, (*loc, "on_error"))
        elif isinstance(step, BranchStep):
            for index, case in enumerate(step.cases):
                for position, condition in enumerate(case.when):
                    where = (*loc, "cases", index, "when", position)
                    self.condition(condition, where, lambda path, at: self.path(path, at, scope))
                goto(case.goto, (*loc, "cases", index, "goto"))
            goto(step.default, (*loc, "default"))
        elif isinstance(step, RespondStep):
            self.template(step.text, (*loc, "text"), scope)
        elif isinstance(step, SetStep):
            self.templates_in(step.value, (*loc, "value"), scope)
        elif isinstance(step, HandoffStep):
            if step.to == agent.name:
                self.add((*loc, "to"), f"agent {agent.name!r} hands off to itself")
            elif step.to != HUMAN and step.to not in self.agents:
                message = f"handoff to unknown agent {step.to!r}{_known(self.agents)} (or {HUMAN!r})"
                self.add((*loc, "to"), message, ref=step.to)
            self.template(step.message, (*loc, "message"), scope)
        elif isinstance(step, EndStep):
            self.template(step.message, (*loc, "message"), scope)
        elif isinstance(step, GotoStep):
            goto(step.stage, (*loc, "stage"))

    def call(self, loc: Loc, step: CallStep, agent: Agent, scope: _Scope) -> None:
        tool = self.tools.get(step.tool)
        if tool is None:
            self.add((*loc, "tool"), f"unknown tool {step.tool!r}{_known(self.tools)}", ref=step.tool)
        elif step.tool not in agent.tools:
            self.add(
                (*loc, "tool"),
                f"agent {agent.name!r} may not call {step.tool!r}: it is not in the agent's tools",
            )
        if tool is not None and isinstance(tool.input_schema.get("properties"), dict):
            properties = tool.input_schema["properties"]
            for name in step.args:
                if name not in properties:
                    message = f"tool {tool.name!r} has no argument {name!r}{_known(properties)}"
                    self.add((*loc, "args", name), message)
            required = tool.input_schema.get("required", [])
            missing = [name for name in required if isinstance(name, str) and name not in step.args]
            if missing:
                self.add(
                    (*loc, "args"), f"missing required argument(s) of {tool.name!r}: {', '.join(missing)}"
                )
        self.templates_in(step.args, (*loc, "args"), scope)

    # --- guardrails and router ------------------------------------------------------------------------------

    def guardrails(self) -> None:
        guardrails = self.bundle.guardrails
        loc: Loc = ("guardrails",)
        scope = self.scope(
            (slot.name for agent in self.bundle.agents for slot in agent.slots), self.bundle.agents
        )
        for index, precondition in enumerate(guardrails.tool_preconditions):
            where = (*loc, "tool_preconditions", index)
            if precondition.tool not in self.tools:
                message = f"precondition on unknown tool {precondition.tool!r}{_known(self.tools)}"
                self.add((*where, "tool"), message, ref=precondition.tool)
            for position, fact in enumerate(precondition.requires):
                if fact not in self.granted:
                    message = f"no tool grants fact {fact!r}, so {precondition.tool!r} could never run"
                    self.add((*where, "requires", position), message, needs_complete=True)
            self.template(precondition.message, (*where, "message"), scope)
        self.unique(guardrails.forbidden_content, (*loc, "forbidden_content"), "forbidden-content rule")
        for index, rule in enumerate(guardrails.forbidden_content):
            self.matchers((*loc, "forbidden_content", index), rule.phrases, rule.patterns, "matches nothing")
        self.unique(guardrails.escalation_triggers, (*loc, "escalation_triggers"), "escalation trigger")
        for index, trigger in enumerate(guardrails.escalation_triggers):
            where = (*loc, "escalation_triggers", index)
            never = "can never fire" if trigger.after_fallbacks is None else None
            self.matchers(where, trigger.phrases, trigger.patterns, never)
            self.template(trigger.message, (*where, "message"), scope)
        if guardrails.turn_limit is not None:
            self.template(guardrails.turn_limit.message, (*loc, "turn_limit", "message"), scope)

    def matchers(self, loc: Loc, phrases: Sequence[str], patterns: Sequence[str], empty: str | None) -> None:
        """Check ``patterns``; with ``empty`` given, also that something can match at all."""
        if empty is not None and not phrases and not patterns:
            self.add(loc, f"{empty}: give phrases or patterns")
        for index, pattern in enumerate(patterns):
            self.regex(pattern, (*loc, "patterns", index))

    def router(self) -> None:
        router = self.bundle.router
        if router is None:
            if len(self.bundle.agents) > 1:
                count = len(self.bundle.agents)
                self.add(("agents",), f"{count} agents but no router: add router.entry_agent and rules")
            return
        loc: Loc = ("router",)
        if router.entry_agent not in self.agents:
            message = f"unknown entry agent {router.entry_agent!r}{_known(self.agents)}"
            self.add((*loc, "entry_agent"), message, ref=router.entry_agent)
        for index, rule in enumerate(router.rules):
            where = (*loc, "rules", index)
            if rule.to != HUMAN and rule.to not in self.agents:
                self.add(
                    (*where, "to"),
                    f"rule routes to unknown agent {rule.to!r}{_known(self.agents)}",
                    ref=rule.to,
                )
            for position, intent in enumerate(rule.intents):
                if intent not in self.intents:
                    message = f"rule names unknown intent {intent!r}{_known(self.intents)}"
                    self.add((*where, "intents", position), message, ref=intent)
            self.matchers(where, rule.intents, rule.patterns, "rule matches nothing")
