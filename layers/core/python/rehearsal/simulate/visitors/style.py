"""Persona style: turns dialogue acts into words — phrasing pools, tone and mood words, fillers, seeded typos.

Typos touch only the visitor's own words, never the facts they state (an id with a typo would be a
different fact, and a simulator error rather than realism).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from rehearsal.simulate.records import DialogueAct
from rehearsal.simulate.specs.persona import Persona, Tone
from rehearsal.simulate.visitors.perception import label_of

DEFAULT_PHRASING: dict[str, list[str]] = {
    "inform": ["It's {value}.", "My {label} is {value}.", "Sure, it's {value}.", "{value}"],
    "dont_know": [
        "I don't know my {label}, sorry.",
        "I don't have my {label} on me.",
        "No idea what my {label} is.",
    ],
    "affirm": ["Yes, please.", "Yes.", "Yes, go ahead.", "That's right."],
    "negate": ["No.", "No, thanks."],
    "push_back": [
        "Are you sure? Can you check again?",
        "That doesn't seem right. Is there really nothing you can do?",
        "Come on, there must be something you can do.",
    ],
    "misunderstand": [
        "So you're saying I can't get anything at all?",
        "Wait, so this is my fault?",
        "I don't get it. So what happens now?",
    ],
    "rephrase": ["Let me put it another way: {request}", "I mean: {request}", "Again, {request}"],
    "ask_human": [
        "Can I speak to a human, please?",
        "I want to talk to a real person.",
        "Please transfer me to a person.",
    ],
    "change_mind": [
        "Actually, wait. {request}",
        "Sorry, I changed my mind. {request}",
        "Hmm, actually: {request}",
    ],
    "second_issue": ["Also, {request}", "One more thing: {request}", "While I have you, {request}"],
    "thank": ["Thanks!", "Great, thank you.", "Perfect, thanks."],
    "bye": ["Bye.", "That's all, bye!", "Goodbye."],
    "give_up": ["Forget it, I'll go elsewhere.", "This is going nowhere. Bye."],
}

MOOD_WORDS: dict[Tone, list[str]] = {
    Tone.ANGRY: ["This is ridiculous!", "I'm furious about this.", "This is completely unacceptable!"],
    Tone.FRUSTRATED: [
        "Honestly, this is so frustrating.",
        "I'm getting really annoyed.",
        "Ugh, this is annoying.",
    ],
    Tone.ANXIOUS: ["I'm really worried about this.", "Please help, I'm quite stressed about this."],
    Tone.CONFUSED: ["Sorry, I'm a bit confused.", "I'm not sure I follow."],
    Tone.POLITE: ["Hi,", "Hello,"],
    Tone.CALM: [],
    Tone.CURT: [],
}
_OPENING_ONLY = {Tone.POLITE}
_WORD = re.compile(r"\{[^}]*\}|[A-Za-z]{4,}")  # placeholders match first and are kept as they are
_GREETING = re.compile(r"(?:hi|hello|hey)\b", re.IGNORECASE)
_FILLER_CHANCE = 0.2
_MOOD_CHANCE = 0.5


class Style:
    """Realises acts in one persona's voice; all randomness comes from the visitor's seeded generator."""

    def __init__(self, persona: Persona, rng: random.Random, *, random_phrasing: bool = True) -> None:
        self._persona = persona
        self._rng = rng
        self._random = random_phrasing
        self._pools = {**DEFAULT_PHRASING, **persona.phrasing}

    def pick(self, options: Sequence[str]) -> str:
        if not options:
            return ""
        return self._rng.choice(options) if self._random else options[0]

    def phrase(self, key: str, **values: str) -> str:
        return self.fill(self.pick(self._pools.get(key, [])), values)

    def fill(self, template: str, values: dict[str, str]) -> str:
        """Typos into the template's own words first, then the values, so facts stay intact."""
        return self.typo(template).format_map(_Values(values))

    def act(self, act: DialogueAct, request: str = "") -> str:
        template = self.pick(self._pools.get(act.type.value, []))
        if ", {request}" in template and not re.match(r"I\b", request):
            request = request[:1].lower() + request[1:]  # "Also, please cancel…"
        label = label_of(act.slot) if act.slot else ""
        return self.fill(template, {"value": act.value or "", "label": label, "request": request})

    def mood_words(self, mood: Tone, *, opening: bool, escalated: bool) -> str:
        words = MOOD_WORDS.get(mood, [])
        if not words or (mood in _OPENING_ONLY and not opening):
            return ""
        if opening or escalated or self._rng.random() < _MOOD_CHANCE:
            return self.typo(self.pick(words))
        return ""

    def filler(self) -> str:
        vocabulary = self._persona.vocabulary
        if vocabulary and self._rng.random() < _FILLER_CHANCE:
            word = self.pick(vocabulary)
            return word[:1].upper() + word[1:] + ","
        return ""

    def typo(self, text: str) -> str:
        rate = self._persona.typo_rate
        if rate <= 0:
            return text
        return _WORD.sub(lambda match: self._maybe_misspell(match.group(0), rate), text)

    def _maybe_misspell(self, word: str, rate: float) -> str:
        if word.startswith("{") or self._rng.random() >= rate:
            return word
        return self._misspell(word)

    def _misspell(self, word: str) -> str:
        position = self._rng.randrange(1, len(word) - 1)
        kind = self._rng.randrange(3)
        if kind == 0:  # swap two neighbours
            return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        if kind == 1:  # drop one
            return word[:position] + word[position + 1 :]
        return word[:position] + word[position] + word[position:]  # double one

    def join(self, parts: Sequence[str]) -> str:
        words: list[str] = []
        parts = [part for part in parts if part]
        if len(parts) > 1 and _GREETING.match(parts[0]) and any(_GREETING.match(p) for p in parts[1:]):
            parts = parts[1:]  # "Hi, hi, where is…": the request greets already
        for part in parts:
            after_filler = words and words[-1].endswith(",") and not re.match(r"I\b", part)
            words.append(part[:1].lower() + part[1:] if after_filler else part)  # "Honestly, it's…"
        return " ".join(words).strip()


class _Values(dict[str, str]):
    """Leaves an unknown placeholder as written instead of raising: persona phrasings are user text."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


__all__ = ["DEFAULT_PHRASING", "MOOD_WORDS", "Style"]
