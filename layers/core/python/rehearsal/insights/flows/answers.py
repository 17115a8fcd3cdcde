"""What customers answer to each agent question: the slot it fills, its type, and the fact a visitor knows.

Answers are read de-identified, so a typed placeholder (`[EMAIL_1]`) tells the type directly; otherwise the
runtime's own slot readers decide (a type is chosen when most answers read as it), so the draft's slots accept
what real customers said. For simulated visitors, placeholders become synthetic values of the same type.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache

from rehearsal.bundles.schema import SlotDef, SlotType
from rehearsal.insights.flows.models import AskSlot, LabelledConversation, StepKind
from rehearsal.insights.flows.tools import slug
from rehearsal.runtime.nlu.slots import SlotExtractor
from rehearsal.simulate.visitors.perception import builtin_facts, cue_for

_PLACEHOLDER = re.compile(r"\[([A-Z]+)_(\d+)\]")
_PLACEHOLDER_TYPES: dict[str, tuple[SlotType, str | None]] = {
    "EMAIL": ("email", None),
    "PHONE": ("phone", None),
    "NAME": ("name", None),
    "ADDRESS": ("address", None),
    "ACCOUNT": ("id", r"^\d{8}$"),
    "CARD": ("id", r"^\d{16}$"),
}
_SYNTHETIC_NAMES = ("Alex Morgan", "Sam Taylor", "Jordan Lee", "Casey Brooks", "Robin Hayes", "Drew Parker")
_ASK_WORDS = frozenset({"ask", "request", "get", "confirm", "inform", "provide"})
_TRIED: tuple[SlotType, ...] = ("yes_no", "email", "phone", "date", "id", "number")
_SHORT = 6
"""Answers of at most this many words can be a bare yes/no or number."""
_SAMPLE = 300
TODAY = date(2026, 1, 1)
"""Fixed reference date so that reading relative dates ("tomorrow") is reproducible."""


_REQUEST = re.compile(
    r"\?\s*$|\b(?:please|could you|can you|would you|may i|tell me|provide|what is|what's|which)\b", re.I
)
_NOT_REQUEST = re.compile(r"^\s*(?:thank|thanks|goodbye|bye)\b", re.I)


def is_question(text: str) -> bool:
    """Whether an agent utterance asks the customer for something ("…, please." counts, "thanks" does not)."""
    return bool(_REQUEST.search(text)) and not _NOT_REQUEST.search(text)


_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")


def question_cue(question: str, words: int = 4) -> str:
    """A regex for the asking sentence of a question ("Shall I go ahead?" in "It can be refunded. Shall I go
    ahead?"): visitors look for what they are asked in asking sentences only."""
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(question) if m.group(0).strip()]
    asking = [s for s in sentences if s.endswith("?")] or sentences or [question]
    return re.escape(" ".join(asking[-1].split()[:words]))


def slot_for_step(step: str) -> str:
    """The slot an ask step fills: its id without the asking verb (`bank_ask_pin` → `bank_pin`)."""
    words = [w for w in slug(step, 60).split("_") if w not in _ASK_WORDS]
    return "_".join(words)[:64] or "answer"


def fact_for(question: str, fallback: str) -> str:
    """The built-in visitor fact a question asks for (`order_id` for "your order number?"), or fallback."""
    for fact in builtin_facts():
        if any(pattern.search(question) for pattern in cue_for(fact)):
            return fact
    return fallback


@cache
def _extractor(slot_type: SlotType, pattern: str | None = None) -> SlotExtractor:
    return SlotExtractor(SlotDef(name="x", type=slot_type, pattern=pattern))


def _reads(slot_type: SlotType, text: str) -> bool:
    if slot_type in ("yes_no", "number") and len(text.split()) > _SHORT:
        return False
    return _extractor(slot_type).extract(text, today=TODAY) is not None


def infer_slot_type(answers: Sequence[str], *, share: float = 0.6) -> tuple[SlotType, str | None]:
    """The slot type (and id pattern) most answers read as; `text` when none does."""
    if not answers:
        return "text", None
    if len(answers) > _SAMPLE:  # an evenly spread sample decides as well as all of them
        answers = [answers[i * len(answers) // _SAMPLE] for i in range(_SAMPLE)]
    kinds = Counter(m.group(1) for a in answers for m in _PLACEHOLDER.finditer(a))
    if kinds:
        kind, seen = kinds.most_common(1)[0]
        if kind in _PLACEHOLDER_TYPES and seen >= share * len(answers):
            return _PLACEHOLDER_TYPES[kind]
    for slot_type in _TRIED:
        if sum(_reads(slot_type, answer) for answer in answers) >= share * len(answers):
            return slot_type, None
    return "text", None


def extract_value(answer: str, slot_type: SlotType, pattern: str | None = None) -> str:
    """The value a customer gave, as the draft's slot would read it (the trimmed answer when it cannot)."""
    value = _extractor(slot_type, pattern).extract(answer, today=TODAY)
    if value is None or slot_type == "text":
        return " ".join(answer.split())[:120]
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def synthesize(text: str, chosen: dict[str, str], rng: random.Random) -> str:
    """Placeholders replaced by synthetic values of their type, the same placeholder by the same value."""

    def value(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in chosen:
            kind, number = match.group(1), int(match.group(2))
            chosen[key] = {
                "EMAIL": f"visitor{number}@example.com",
                "PHONE": f"555-01{number % 100:02d}",
                "NAME": rng.choice(_SYNTHETIC_NAMES),
                "ADDRESS": f"{10 + number} Example Street",
                "ACCOUNT": "".join(rng.choice("0123456789") for _ in range(8)),
                "CARD": "4000" + "".join(rng.choice("0123456789") for _ in range(12)),
            }.get(kind, f"value{number}")
        return chosen[key]

    return _PLACEHOLDER.sub(value, text)


def question_answers(conversations: Iterable[LabelledConversation]) -> dict[str, list[str]]:
    """Per question step, what the customer said right after it."""
    answers: dict[str, list[str]] = {}
    for conversation in conversations:
        events = conversation.events
        for event, following in itertools.pairwise(events):
            if event.kind is StepKind.SAY and is_question(event.text) and following.customer_before:
                answers.setdefault(event.step, []).append(following.customer_before)
    return answers


def ask_slots(conversations: Sequence[LabelledConversation], labels: dict[str, str]) -> list[AskSlot]:
    slots = []
    for step, answers in sorted(question_answers(conversations).items()):
        slot_type, pattern = infer_slot_type(answers)
        slot = slot_for_step(step)
        slots.append(
            AskSlot(
                step=step,
                slot=slot,
                type=slot_type,
                pattern=pattern,
                fact=fact_for(labels.get(step, ""), slot),
                answers=len(answers),
                examples=[a for a, _ in Counter(answers).most_common(3)],
            )
        )
    return slots
