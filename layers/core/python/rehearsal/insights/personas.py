"""Simulated visitors drawn from real conversations: personas and scenarios written as a rehearsal suite.

Each sampled conversation becomes one scenario: the customer's request as the goal, their answers as known
facts (and "I don't remember" answers as unknown ones), their tone, typo rate and observed behaviours
(push-back, asking for a human), the tool results they got as the scenario's world, and what the human agent
achieved as the expectation. Conversations are de-identified again first: no personal data reaches a persona.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from rehearsal.bundles.schema import EndReason
from rehearsal.insights.conversation import Conversation, Outcome, Speaker
from rehearsal.insights.deid import deidentify_conversation, deidentify_texts
from rehearsal.insights.draft import held_out
from rehearsal.insights.flows.answers import (
    extract_value,
    is_question,
    question_cue,
    slot_for_step,
    synthesize,
)
from rehearsal.insights.flows.discover import grouping
from rehearsal.insights.flows.labelling import LabelledCorpus, Labelling, events_of, label_conversations
from rehearsal.insights.flows.models import AskSlot, FlowDiscovery, LabelledConversation, StepKind, ToolSpec
from rehearsal.insights.flows.replay import WORLD_KEY
from rehearsal.insights.flows.tools import CALL_PREFIX, CallProfile, side_effect_operations, slug
from rehearsal.simulate.specs import (
    BehaviourPolicies,
    Criticality,
    EndReasonExpectation,
    Expectations,
    ForbiddenToolCall,
    Goal,
    Persona,
    RequiredToolCall,
    Scenario,
    Suite,
    Tone,
    WorldSpec,
)

_UNKNOWN = re.compile(r"\b(don'?t (know|remember|have)|can'?t remember|forgot|no idea|not sure)\b", re.I)
_PUSH_BACK = re.compile(
    r"\b(are you sure|that'?s not (right|correct)|come on|seriously|why not|but i)\b", re.I
)
_HUMAN = re.compile(r"\b(human|real person|representative|supervisor|manager|speak to someone)\b", re.I)
_ANGRY = re.compile(r"\b(ridiculous|unacceptable|terrible|worst|angry|furious|stupid|useless)\b|!{2,}", re.I)
_FRUSTRATED = re.compile(r"\b(annoy\w*|frustrat\w*|again|still|already told)\b", re.I)
_ANXIOUS = re.compile(r"\b(worried|scared|urgent|asap|hurry|desperate|nervous|panic\w*)\b", re.I)
_CONFUSED = re.compile(r"\b(confused|don'?t understand|what do you mean|huh)\b", re.I)
_POLITE = re.compile(r"\b(please|thank\w*|appreciate)\b", re.I)
_WORD = re.compile(r"[A-Za-z']+")
_END_REASON = {
    Outcome.RESOLVED: [EndReason.RESOLVED],
    Outcome.ESCALATED: [EndReason.ESCALATED],
    Outcome.ABANDONED: [EndReason.CUSTOMER_LEFT, EndReason.RESOLVED],
}


class PersonaError(ValueError):
    """The corpus or the chosen groups cannot yield a suite; the message says why."""


def build_suite(
    conversations: Sequence[Conversation],
    discovery: FlowDiscovery,
    *,
    group_by: str | Mapping[str, str] | None = None,
    groups: Sequence[str] | None = None,
    per_group: int = 5,
    seed: int = 0,
    name: str = "from_transcripts",
    bundle: str | None = "bundle.yaml",
    world: str | None = "world.json",
    prefer_held_out: bool = True,
) -> Suite:
    """A suite with one scenario (and persona) per sampled conversation of each chosen group.

    With `prefer_held_out`, conversations are drawn from those the draft bundle did not learn its phrasings
    from (see `held_out`) whenever a group has any.
    """
    chosen = list(groups) if groups else [g.group for g in discovery.groups]
    known = {g.group for g in discovery.groups}
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise PersonaError(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    _, group_of = grouping(group_by)
    members = [c for c in conversations if group_of(c) in chosen]
    labelled = label_conversations(members, group_of)
    by_id = {c.id: c for c in members}
    vocabulary = Counter(w.lower() for c in members for t in c.turns for w in _WORD.findall(t.text))
    rng = random.Random(seed)
    # Representative agent words become visitor cues; they are de-identified like everything a persona holds.
    labels = dict(zip(labelled.labels, deidentify_texts(list(labelled.labels.values())), strict=True))
    asks = {g.group: {a.step: a for a in g.asks} for g in discovery.groups}
    tools = {g.group: g.tools for g in discovery.groups}
    personas: list[Persona] = []
    scenarios: list[Scenario] = []
    longest = 0
    for group in chosen:
        pool = [
            c for c in labelled.conversations if c.group == group and by_id[c.conversation_id].contact_reason
        ]
        # Conversations the draft did not learn from come first; among them, known outcomes make expectations
        # and abandoned conversations are used only when nothing else is left.
        if prefer_held_out:
            pool = [c for c in pool if held_out(c.conversation_id)] or pool
        pool.sort(key=lambda c: c.conversation_id)
        ranked = [c for c in pool if c.outcome in (Outcome.RESOLVED, Outcome.ESCALATED)] or pool
        picked = rng.sample(ranked, min(per_group, len(ranked)))
        for raw in sorted(picked, key=lambda c: c.conversation_id):
            # Only what a persona is built from is de-identified (again: stored corpora already are).
            source = deidentify_conversation(by_id[raw.conversation_id])
            labelled_conversation = _relabelled(raw, source, labelled)
            longest = max(longest, _customer_turns(source))
            persona = _persona(source, vocabulary, len(personas) + 1)
            personas.append(persona)
            scenarios.append(
                _scenario(
                    source=source,
                    conversation=labelled_conversation,
                    persona=persona.id,
                    intent=slug(group, 64),
                    profile=labelled.profile,
                    labels=labels,
                    asks=asks.get(group, {}),
                    tools=tools.get(group, []),
                    rng=random.Random(f"{seed}:{source.id}"),
                )
            )
    if not scenarios:
        raise PersonaError("no conversation with a customer request in the chosen groups")
    return Suite(
        name=slug(name, 64),
        description=f"Visitors drawn from {len(scenarios)} de-identified conversations.",
        bundle=bundle,
        world=world,
        personas=personas,
        scenarios=scenarios,
        seed=seed,
        max_visitor_turns=min(100, max(10, 2 * longest)),
    )


def _relabelled(
    raw: LabelledConversation, clean: Conversation, corpus: LabelledCorpus
) -> LabelledConversation:
    """The de-identified conversation's events with the steps the whole corpus gave the original."""
    events = events_of(clean.turns, corpus.profile, given=corpus.labelling is Labelling.GIVEN)
    steps = [
        event.model_copy(update={"step": old.step}) for event, old in zip(events, raw.events, strict=True)
    ]
    return raw.model_copy(update={"events": steps})


def _customer_turns(conversation: Conversation) -> int:
    return sum(t.speaker is Speaker.CUSTOMER for t in conversation.turns)


def _customer_text(conversation: Conversation) -> list[str]:
    return [t.text for t in conversation.turns if t.speaker is Speaker.CUSTOMER and t.text.strip()]


def estimate_tone(texts: Sequence[str]) -> Tone:
    joined = " ".join(texts)
    for pattern, tone in (
        (_ANGRY, Tone.ANGRY),
        (_FRUSTRATED, Tone.FRUSTRATED),
        (_ANXIOUS, Tone.ANXIOUS),
        (_CONFUSED, Tone.CONFUSED),
    ):
        if pattern.search(joined):
            return tone
    words = [len(_WORD.findall(text)) for text in texts]
    if words and sum(words) / len(words) < 4 and not _POLITE.search(joined):
        return Tone.CURT
    return Tone.POLITE if _POLITE.search(joined) else Tone.CALM


def estimate_typo_rate(texts: Sequence[str], vocabulary: Counter[str]) -> float:
    """Share of the customer's words that occur nowhere else in the corpus (a typo is rarely repeated)."""
    words = [w.lower() for text in texts for w in _WORD.findall(text) if len(w) > 3 and not w[0].isupper()]
    if not words:
        return 0.0
    return round(min(0.3, sum(vocabulary[w] <= 1 for w in words) / len(words)), 3)


def _persona(conversation: Conversation, vocabulary: Counter[str], number: int) -> Persona:
    texts = _customer_text(conversation)
    tone = estimate_tone(texts)
    return Persona(
        id=f"p-{slug(conversation.id, 100)}",
        name=f"Visitor {number}",
        description=f"Drawn from conversation {conversation.id} ({conversation.outcome.value}).",
        tone=tone,
        typo_rate=estimate_typo_rate(texts, vocabulary),
        patience=max(3, min(50, _customer_turns(conversation) + 2)),
    )


def _scenario(
    *,
    source: Conversation,
    conversation: LabelledConversation,
    persona: str,
    intent: str,
    profile: CallProfile,
    labels: Mapping[str, str],
    asks: Mapping[str, AskSlot],
    tools: Sequence[ToolSpec],
    rng: random.Random,
) -> Scenario:
    synthetic: dict[str, str] = {}
    knows: dict[str, str] = {}
    unknown: list[str] = []
    cues: dict[str, list[str]] = {}
    events = conversation.events
    for event, following in pairwise(events):
        if event.kind is not StepKind.SAY or not is_question(event.text) or not following.customer_before:
            continue
        ask = asks.get(event.step)
        fact = ask.fact if ask else slot_for_step(event.step)
        cues[fact] = [question_cue(labels.get(event.step, event.text))]
        answer = synthesize(following.customer_before, synthetic, rng)
        if _UNKNOWN.search(answer):
            unknown.append(fact)
            knows.pop(fact, None)
        elif fact not in unknown:
            knows[fact] = extract_value(answer, ask.type, ask.pattern) if ask else answer[:120]
    texts = _customer_text(source)
    asked_human = next((i for i, t in enumerate(texts) if _HUMAN.search(t)), None)
    return Scenario(
        id=f"s-{slug(source.id, 100)}",
        description=f"{intent}: as in conversation {source.id}",
        tags=[intent, source.outcome.value],
        persona=persona,
        goal=Goal(
            intent=intent,
            utterances=[synthesize(source.contact_reason, synthetic, rng)],
            done_when=_done_when(events, labels),
        ),
        world=WorldSpec(patch=_replayed(source, profile), knows=knows, does_not_know=unknown, cues=cues),
        policies=BehaviourPolicies(
            push_back_once=any(_PUSH_BACK.search(t) for t in texts),
            ask_for_human_after=max(1, asked_human) if asked_human is not None else None,
        ),
        expect=_expectations(source, profile, tools),
    )


def _done_when(events: Sequence[Any], labels: Mapping[str, str]) -> list[str]:
    """The agent's last informative statement in the original conversation (its opening words)."""
    for event in reversed(events):
        if event.kind is StepKind.SAY and not is_question(event.text):
            words = labels.get(event.step, event.text).split()[:5]
            if len(words) >= 2:
                return [re.escape(" ".join(words))]
    return [r"anything else|goodbye|bye"]


def _replayed(conversation: Conversation, profile: CallProfile) -> dict[str, Any]:
    """The tool results this customer got, for the draft's replay tools (keyed like its calls)."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for turn in conversation.turns:
        for call in turn.tool_calls:
            key = profile.step_id(call).removeprefix(CALL_PREFIX)
            response = {"error": slug(call.error, 64)} if call.error else {"result": call.result}
            responses.setdefault(key, []).append(response)
    return {WORLD_KEY: responses} if responses else {}


def _expectations(
    conversation: Conversation, profile: CallProfile, tools: Sequence[ToolSpec]
) -> Expectations:
    """The calls the human agent made are required; world-changing ones they did not make are forbidden."""
    calls: dict[str, RequiredToolCall] = {}
    for turn in conversation.turns:
        for call in turn.tool_calls:
            if call.error:
                continue
            mode_argument = profile.mode_argument.get(call.name)
            mode = call.arguments.get(mode_argument) if mode_argument else None
            rid = profile.step_id(call).removeprefix(CALL_PREFIX).replace(":", ".")
            calls.setdefault(
                rid,
                RequiredToolCall(
                    id=f"calls:{rid}",
                    tool=slug(call.name, 64),
                    args={mode_argument: mode} if mode_argument and isinstance(mode, str) else {},
                    criticality=Criticality.MAJOR,
                ),
            )
    forbidden = []
    for spec in tools:
        for operation in side_effect_operations(spec):
            rid = f"{spec.name}.{slug(operation)}" if operation else spec.name
            if rid not in calls:
                args = {spec.mode_argument: operation} if operation and spec.mode_argument else {}
                forbidden.append(
                    ForbiddenToolCall(
                        id=f"never:{rid}",
                        tool=slug(spec.name, 64),
                        args=args,
                        criticality=Criticality.CRITICAL,
                    )
                )
    reasons = _END_REASON.get(conversation.outcome)
    return Expectations(
        end_reason=EndReasonExpectation(one_of=reasons) if reasons else None,
        tool_calls=list(calls.values()),
        forbidden_tool_calls=forbidden,
    )


def write_suite(suite: Suite, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "suite.yaml"
    # Defaults stay: a matcher without its `kind` would read back as a different matcher.
    data = suite.model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
