"""A bundle prepared for running: indexes, the trained intent recognizer, guardrails and slot readers.

Compiling trains the recognizer, so it is done once per bundle version and cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from rehearsal.bundles.schema import Agent, AgentBundle, AskStep, FactGrant, Intent, Stage
from rehearsal.runtime.guardrails import GuardrailSet
from rehearsal.runtime.nlu import IntentRecognizer, SlotExtractor
from rehearsal.runtime.nlu.intents import IntentLabel
from rehearsal.runtime.router import Router

# Slot types that a message about something else can fill (an order id in "cancel order A1001").
PREFILL_TYPES = frozenset({"id", "email", "phone", "date", "amount", "enum", "name", "address"})
# Answers that belong to one flow (a confirmation) and must not carry over into the next.
PER_FLOW_TYPES = frozenset({"yes_no", "text"})


@dataclass
class CompiledFlow:
    entry: str
    stages: dict[str, Stage]
    per_flow_slots: tuple[str, ...]


@dataclass
class CompiledAgent:
    agent: Agent
    intents: dict[str, Intent]
    flows: dict[str, CompiledFlow]
    extractors: dict[str, SlotExtractor]
    prefill: list[SlotExtractor] = field(default_factory=list)


@dataclass
class CompiledBundle:
    bundle: AgentBundle
    version: str
    agents: dict[str, CompiledAgent]
    agent_names: frozenset[str]
    recognizer: IntentRecognizer
    guardrails: GuardrailSet
    router: Router
    grants: dict[str, list[FactGrant]]


def _compile_agent(agent: Agent) -> CompiledAgent:
    extractors = {slot.name: SlotExtractor(slot) for slot in agent.slots}
    slot_types = {slot.name: slot.type for slot in agent.slots}
    flows = {}
    for flow in agent.flows:
        asked = {step.slot for stage in flow.stages for step in stage.steps if isinstance(step, AskStep)}
        per_flow = tuple(sorted(slot for slot in asked if slot_types.get(slot, "text") in PER_FLOW_TYPES))
        flows[flow.name] = CompiledFlow(
            flow.stages[0].name, {stage.name: stage for stage in flow.stages}, per_flow
        )
    return CompiledAgent(
        agent=agent,
        intents={intent.name: intent for intent in agent.intents},
        flows=flows,
        extractors=extractors,
        prefill=[extractor for extractor in extractors.values() if extractor.slot.type in PREFILL_TYPES],
    )


def _compile(bundle: AgentBundle, version: str) -> CompiledBundle:
    examples = [
        (IntentLabel(agent.name, intent.name), intent.examples)
        for agent in bundle.agents
        for intent in agent.intents
    ]
    return CompiledBundle(
        bundle=bundle,
        version=version,
        agents={agent.name: _compile_agent(agent) for agent in bundle.agents},
        agent_names=frozenset(agent.name for agent in bundle.agents),
        recognizer=IntentRecognizer(examples, threshold=bundle.nlu.intent_threshold),
        guardrails=GuardrailSet(bundle.guardrails),
        router=Router(bundle),
        grants={tool.name: tool.grants for tool in bundle.tools if tool.grants},
    )


_CACHE: OrderedDict[str, CompiledBundle] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = Lock()


def compile_bundle(bundle: AgentBundle, version: str) -> CompiledBundle:
    """The compiled bundle for ``version`` (content-addressed, so the cache can never be stale)."""
    with _LOCK:
        cached = _CACHE.get(version)
        if cached is not None:
            _CACHE.move_to_end(version)
            return cached
    compiled = _compile(bundle, version)
    with _LOCK:
        _CACHE[version] = compiled
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled
