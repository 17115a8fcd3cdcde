"""A draft agent bundle from discovered flows: intents with real phrasings, stages, tools, guardrails.

The draft is a starting point a team edits, not a finished agent, but it is valid and runs in the flow engine:
each group becomes an intent (learnt from real requests) and a flow along its main path; questions become
typed slots; calls pass slots to tools that replay what the transcripts' tools returned (from the world state,
so each scenario sets its own results); decision points become branches on a call's result or on a customer's
"no"; replies repeat result fields through templates; guardrails come from the evidence (turn limit, hand-over
phrases, preconditions on world-changing tools).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rehearsal.bundles.loader import bundle_from_data
from rehearsal.bundles.problems import BundleValidationError
from rehearsal.bundles.schema import (
    Agent,
    AgentBundle,
    AskStep,
    BranchCase,
    BranchStep,
    CallStep,
    Condition,
    EndStep,
    Flow,
    Intent,
    Metadata,
    RespondStep,
    SlotDef,
    Stage,
    Step,
)
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.deid import deidentify_conversation
from rehearsal.insights.flows.answers import is_question, slot_for_step
from rehearsal.insights.flows.discover import grouping
from rehearsal.insights.flows.guardrails import guardrails, with_preconditions
from rehearsal.insights.flows.models import (
    END,
    START,
    AskSlot,
    DecisionPoint,
    FlowDiscovery,
    GroupFlows,
    StepKind,
    ToolSpec,
)
from rehearsal.insights.flows.replay import TOOLS_MODULE, base_world, tool_decl, tools_source
from rehearsal.insights.flows.tools import CALL_PREFIX, slug

HOLDOUT = 5
"""One conversation in this many is held out of the draft's phrasings, for simulated visitors."""
_NEGATIVE = frozenset({"no", "not", "nope", "nah", "don't", "dont", "never"})


class DraftError(ValueError):
    """The chosen groups cannot make a draft; the message says which and why."""


@dataclass(frozen=True)
class Draft:
    bundle: AgentBundle
    tools_module: str
    """Python source of the replay tools the bundle binds to (`draft_tools.py` next to the bundle)."""
    world: dict[str, Any]
    """Base world: each tool's most common recorded response."""


def stage_name(step: str) -> str:
    return slug(step.replace(CALL_PREFIX, "call_"), 64)


def draft_bundle(
    discovery: FlowDiscovery,
    conversations: Sequence[Conversation],
    *,
    group_by: str | Mapping[str, str] | None = None,
    groups: Sequence[str] | None = None,
    name: str = "draft",
    max_examples: int = 50,
) -> Draft:
    """A bundle for the chosen groups (all by default); `group_by` as flows were discovered with."""
    chosen = _choose(discovery, groups)
    _, group_of = grouping(group_by)
    members: dict[str, list[Conversation]] = {}
    for conversation in conversations:
        members.setdefault(group_of(conversation), []).append(conversation)
    catalog = {tool.name: tool for tool in discovery.tools}
    used = sorted({t.name for g in chosen for t in g.tools} & set(catalog))
    intents: list[Intent] = []
    flows: list[Flow] = []
    slots: dict[str, SlotDef] = {}
    phrasings = {g.group: _phrasings(members.get(g.group, []), max_examples) for g in chosen}
    # A phrasing customers of several groups used tells no intent apart: the recognizer must not learn it.
    shared = {
        t for t, n in Counter(t.casefold() for p in phrasings.values() for t in set(p)).items() if n > 1
    }
    for group in chosen:
        examples = [text for text in phrasings[group.group] if text.casefold() not in shared]
        if not examples:
            raise DraftError(f"group {group.group!r}: no customer request to learn the intent from")
        flow, flow_slots = _flow(group, catalog)
        flows.append(flow)
        slots.update(flow_slots)
        intents.append(
            Intent(
                name=flow.name,
                description=f"Requests like those of {group.group}",
                examples=examples,
                flow=flow.name,
            )
        )
    agent = Agent(
        name="main",
        description=f"Draft agent for {', '.join(g.group for g in chosen)}",
        instructions=_instructions(chosen, used),
        intents=intents,
        flows=flows,
        slots=[slots[name] for name in sorted(slots)],
        tools=used,
    )
    bundle = AgentBundle(
        metadata=Metadata(
            name=slug(name, 64), description="Drafted from transcripts by flow discovery.", tags=["draft"]
        ),
        agents=[agent],
        tools=[tool_decl(catalog[t]) for t in used],
        guardrails=guardrails([c for g in chosen for c in members.get(g.group, [])]),
    )
    bundle = with_preconditions(bundle, [c for g in chosen for c in members.get(g.group, [])])
    _check(bundle)
    return Draft(
        bundle=bundle,
        tools_module=tools_source([catalog[t] for t in used]),
        world=base_world([catalog[t] for t in used]),
    )


def _check(bundle: AgentBundle) -> None:
    """The draft passes the same validation as a hand-written bundle (references, reachable stages)."""
    try:
        bundle_from_data(bundle.model_dump(mode="json", exclude_none=True), filename="draft bundle")
    except BundleValidationError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        raise DraftError(f"the drafted bundle does not validate: {problems}") from None


def _choose(discovery: FlowDiscovery, groups: Sequence[str] | None) -> list[GroupFlows]:
    if not groups:
        return list(discovery.groups)
    known = {g.group: g for g in discovery.groups}
    unknown = [g for g in groups if g not in known]
    if unknown:
        raise DraftError(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [known[g] for g in groups]


def held_out(conversation_id: str) -> bool:
    """One conversation in five is kept for simulated visitors and never teaches the draft its phrasings,
    so that a rehearsal does not replay the recognizer's own training examples. Stable across runs."""
    return int(hashlib.sha256(conversation_id.encode()).hexdigest()[:8], 16) % HOLDOUT == 0


def _phrasings(conversations: Sequence[Conversation], limit: int) -> list[str]:
    """The most common opening requests, shortest first among equals (real phrasings, de-identified)."""
    learnt = [c for c in conversations if not held_out(c.id)] or list(conversations)
    requests = (" ".join(deidentify_conversation(c).contact_reason.split()) for c in learnt)
    counts = Counter(text for text in requests if text)
    ranked = sorted(counts, key=lambda t: (-counts[t], len(t), t))
    return [text for text in ranked if len(text) <= 300][:limit]


def _flow(group: GroupFlows, catalog: Mapping[str, ToolSpec]) -> tuple[Flow, dict[str, SlotDef]]:
    """Stages along the main path, branching where the transcripts did: on a call's result, one stage per
    branch; on a yes/no question, the customer's "no" leads where it led in the transcripts."""
    path = list(group.main_path)
    decisions = {p.step: p for p in group.decision_points if p.driver == "tool_result"}
    branches = {step: _branch(decisions.get(step)) for step in path if step in decisions}
    asks = {ask.step: ask for ask in group.asks if ask.type == "yes_no"}
    for point in group.decision_points:
        if point.step in asks and point.step in path and point.driver == "customer":
            following = path[path.index(point.step) + 1] if point.step != path[-1] else END
            branches[point.step] = _declined(point, asks[point.step].slot, following)
    extra = [t for _, targets in branches.values() for t in targets if t not in path]
    slots: dict[str, SlotDef] = {}
    stages: list[Stage] = []
    for index, step in enumerate(path + list(dict.fromkeys(extra))):
        steps = _steps(step, group, catalog, slots)
        branch = branches.get(step, (None, []))[0]
        if branch is not None:
            steps.append(branch)
        on_path = index < len(path) - 1
        if not on_path:
            steps.append(EndStep())  # the main path's last step, and branch ends off the path
        after = stage_name(path[index + 1]) if on_path else None
        stages.append(Stage(name=stage_name(step), description=f"Step {step}", steps=steps, next=after))
    if not stages:
        stages.append(Stage(name="answer", steps=[EndStep(message="I can help with that.")]))
    return Flow(name=slug(group.group, 64), description=f"Main path of {group.group}", stages=stages), slots


def _steps(
    step: str, group: GroupFlows, catalog: Mapping[str, ToolSpec], slots: dict[str, SlotDef]
) -> list[Step]:
    node = group.graph.node(step)
    if node.kind is StepKind.CALL:
        return [_call(step, catalog, slots)]
    if is_question(node.label):
        ask = next((a for a in group.asks if a.step == step), None)
        slot = _slot(step, node.label, ask)
        slots[slot.name] = slot
        return [AskStep(slot=slot.name, prompt=node.label)]
    return [RespondStep(text=group.templates.get(step) or node.label or step)]


def _slot(step: str, question: str, ask: AskSlot | None) -> SlotDef:
    """A slot typed as real customers answered the question (free text when nobody answered it)."""
    if ask is None:
        return SlotDef(name=slot_for_step(step), description=question)
    return SlotDef(name=ask.slot, type=ask.type, pattern=ask.pattern, description=question)


def _call(step: str, catalog: Mapping[str, ToolSpec], slots: Mapping[str, SlotDef]) -> CallStep:
    tool_name, _, mode = step.removeprefix(CALL_PREFIX).partition(":")
    spec = catalog.get(tool_name)
    properties: dict[str, Any] = (spec.input_schema.get("properties", {}) if spec else {}) or {}
    args: dict[str, Any] = {}
    for argument, schema in properties.items():
        if spec is not None and argument == spec.mode_argument:
            args[argument] = _mode_value(schema, mode)
            continue
        slot = _matching_slot(argument, slots)
        if slot is not None:
            args[argument] = f"{{{{ slots.{slot} }}}}"
        elif argument in (spec.input_schema.get("required", []) if spec else []):
            args[argument] = _example(schema)
    return CallStep(tool=tool_name, args=args)


def _mode_value(schema: Mapping[str, Any], mode: str) -> Any:
    for value in schema.get("enum", []):
        if slug(str(value)) == mode:
            return value
    return mode


def _example(schema: Mapping[str, Any]) -> Any:
    for key in ("enum", "examples"):
        if schema.get(key):
            return schema[key][0]
    return schema.get("minimum", "")


def _words(text: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if len(w) > 1}


def _matching_slot(argument: str, slots: Iterable[str]) -> str | None:
    """The slot sharing most words with the argument name (`AccountNumber` ↔ `bank_account_number`)."""
    wanted = _words(argument)
    scored = [(len(wanted & _words(slot)) / len(wanted), slot) for slot in slots] if wanted else []
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= 0.5 else None


def _branch(point: DecisionPoint | None) -> tuple[BranchStep | None, list[str]]:
    """Cases on the result signature that mostly led to each branch, and the steps they lead to."""
    if point is None:
        return None, []
    cases: dict[str, BranchCase] = {}
    targets: list[str] = []
    for branch in point.branches:
        if not branch.results or branch.to in (START, END):
            continue
        condition = _condition(max(branch.results, key=lambda s: (branch.results[s], s)))
        key = condition.model_dump_json() if condition else ""
        if condition is not None and key not in cases:
            cases[key] = BranchCase(when=[condition], goto=stage_name(branch.to))
            targets.append(branch.to)
    if len(cases) < 2:
        return None, []
    return BranchStep(cases=list(cases.values())), targets


def _declined(point: DecisionPoint, slot: str, following: str) -> tuple[BranchStep | None, list[str]]:
    """After a yes/no question, go where the branch cued by "no" went (the main path goes on for "yes")."""
    for branch in point.branches:
        if branch.to not in (following, START, END) and _NEGATIVE & set(branch.cues):
            case = BranchCase(
                when=[Condition(path=f"slots.{slot}", op="eq", value=False)], goto=stage_name(branch.to)
            )
            return BranchStep(cases=[case]), [branch.to]
    return None, []


def _condition(signature: str) -> Condition | None:
    if signature.startswith("error:"):
        return Condition(path="last_error.code", op="eq", value=signature.removeprefix("error:"))
    if signature == "empty":
        return Condition(path="last_result", op="falsy")
    field, sep, value = signature.partition("=")
    return Condition(path=f"last_result.{field}", op="eq", value=value) if sep else None


def _instructions(groups: Sequence[GroupFlows], tools: Sequence[str]) -> str:
    lines = [
        "You are a customer-service agent. Follow the procedure for the customer's request; "
        "be brief and polite."
    ]
    for group in groups:
        steps = [s for s in group.main_path]
        lines.append(f"- {group.group}: {' → '.join(steps) or 'answer directly'}.")
    if tools:
        lines.append(f"Use only these tools: {', '.join(tools)}; never invent their results.")
    lines.append(
        "If the customer asks for a person, or you cannot help after several tries, hand over to a human."
    )
    return "\n".join(lines)


def write_draft(draft: Draft, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle_path = out_dir / "bundle.yaml"
    bundle_path.write_text(
        yaml.safe_dump(
            draft.bundle.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
        ),
        encoding="utf-8",
    )
    tools_path = out_dir / f"{TOOLS_MODULE}.py"
    tools_path.write_text(draft.tools_module, encoding="utf-8")
    world_path = out_dir / "world.json"
    world_path.write_text(json.dumps(draft.world, indent=2, default=str) + "\n", encoding="utf-8")
    return [bundle_path, tools_path, world_path]
