"""What the visitor hears in the agent's words: requested facts, yes/no questions, denials, handoffs.

Works on text alone so the visitor can talk to any agent. Patterns are compiled once at import; a visitor
compiles only its own scenario's extra cues and goal patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rehearsal.simulate.specs.scenario import Goal

_I = re.IGNORECASE

_BUILTIN_CUES: dict[str, str] = {
    "order_id": (
        r"\border\s*(?:number|no\b|id\b|#|reference)|\bwhich order\b|\border\b[^.?!]*\b(?:number|id)\b|"
        r"\b(?:double-?check|confirm|re-?check) the number\b"
    ),
    "email": r"\be-?mail\b",
    "phone": r"\b(?:phone|mobile|cell)\b",
    "name": r"\b(?:your|full)\s+name\b|\bname on the (?:account|order)\b|\bwho (?:am i|i'm) speaking\b",
    "zip_code": r"\b(?:zip|post(?:al)?\s*code)\b",
    "last4": r"\blast (?:four|4)\b",
    "date_of_birth": r"\b(?:date of birth|birth\s*date|dob)\b|\bwhen were you born\b",
    "address": r"(?<!e-mail )(?<!email )\baddress\b",
    "reason": r"\breason\b|\bwhy\b|\bwhat (?:went|was|is) wrong\b|\bwhat happened\b|\bwhat's wrong\b",
    "amount": r"\bamount\b|\bhow much\b",
    "item": r"\b(?:which|what) (?:item|product)\b",
    "account_id": r"\b(?:account|customer)\s*(?:number|id|no\b)",
    "verification_code": r"\b(?:verification|security|one-time)\s+code\b",
}
_ALIASES = {
    "customer_name": "name",
    "full_name": "name",
    "zip": "zip_code",
    "postcode": "zip_code",
    "postal_code": "zip_code",
    "card_last4": "last4",
    "dob": "date_of_birth",
    "new_address": "address",
    "shipping_address": "address",
    "customer_id": "account_id",
    "phone_number": "phone",
    "email_address": "email",
    "product": "item",
    "item_name": "item",
}
_COMPILED_CUES = {name: re.compile(pattern, _I) for name, pattern in _BUILTIN_CUES.items()}

_SENTENCE = re.compile(r"(?:[^.?!\n]|\.(?=\d))+[.?!]*")  # "49.99" does not end a sentence
_ASKING = re.compile(
    r"\?\s*$|\b(?:please|kindly)\s+(?:provide|give|share|tell|confirm|enter|send|type)\b|"
    r"\b(?:could|can|would) you (?:please )?(?:provide|give|share|tell|confirm|send)\b|"
    r"\bmay i (?:have|get|ask)\b|\bi(?:'ll| will)? need\b|\bwhat(?: is|'s) your\b",
    _I,
)
_YES_NO = re.compile(
    r"^\s*(?:shall|should|would|do|did|can|could|may|is|are|will|want)\b|\bwould you like\b|\bdo you want\b|"
    r"\bis (?:that|this) (?:right|correct|ok(?:ay)?)\b|\bgo ahead\b|\bconfirm\b",
    _I,
)
_OPEN = re.compile(
    r"\bhow (?:can|may|could) (?:i|we) help\b|\bwhat can i (?:do|help)\b|\bwhat brings you\b", _I
)
_ANYTHING_ELSE = re.compile(r"\b(?:anything|something) else\b", _I)
_DENIAL = re.compile(
    r"\b(?:unable to|can(?:'|no)?t|not able to|won't be able|(?:isn't|not|aren't) eligible|not possible|"
    r"unfortunately|i'm afraid|no longer)\b",
    _I,
)
_POLICY = re.compile(
    r"\bpolic(?:y|ies)\b|\bwithin \d+ days\b|\beligib|\bonly (?:be )?(?:refund|cancel|return)", _I
)
_FALLBACK = re.compile(
    r"\bdidn't (?:quite )?(?:catch|understand|get) (?:that|you)\b|\brephrase\b|\bnot sure (?:i|what) "
    r"(?:understand|you mean)\b|\bsay that again\b|\bcan only help with\b",
    _I,
)
_HANDOFF = re.compile(
    r"\b(?:connect|transfer|hand|pass)(?:ing)? you (?:to|with|over)\b|"
    r"\b(?:human|colleague|specialist|team member) (?:will|can)\b|\bconnect you\b",
    _I,
)


def _words_cue(fact: str) -> re.Pattern[str]:
    """A cue for a fact without a built-in one: all its words near each other, ``id`` read as id or number."""
    words = [
        r"(?:id|number)" if word == "id" else re.escape(word) for word in fact.lower().split("_") if word
    ]
    return re.compile("".join(rf"(?=.*\b{word})" for word in words), _I)


@lru_cache(maxsize=1024)
def cue_for(fact: str, extra: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
    """Compiled once per process: every visitor of a run asks for the same few facts."""
    canonical = _ALIASES.get(fact, fact)
    builtin = _COMPILED_CUES[canonical] if canonical in _COMPILED_CUES else _words_cue(fact)
    return (*(re.compile(pattern, _I) for pattern in extra), builtin)


_Cues = tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
_CuesKey = tuple[_Cues, _Cues]  # (the scenario's facts, the fallback facts) with their compiled cues


@dataclass
class Heard:
    """The agent's turn as the visitor understood it."""

    text: str
    requested: list[str] = field(default_factory=list)
    yes_no: bool = False
    open_question: bool = False
    anything_else: bool = False
    denial: bool = False
    policy: bool = False
    fallback: bool = False
    handoff: bool = False


class Perception:
    """Recognises requests for the facts a visitor may be asked about (known and unknown ones)."""

    def __init__(
        self,
        facts: Iterable[str],
        cues: Mapping[str, list[str]] | None = None,
        *,
        fallback: Iterable[str] = (),
    ) -> None:
        """Facts the scenario names come first; ``fallback`` facts count only in a sentence naming none."""
        extra = cues or {}
        named = list(dict.fromkeys(facts))
        cues_for = {fact: cue_for(fact, tuple(extra.get(fact, ()))) for fact in named}
        fallback_for = {fact: cue_for(fact) for fact in fallback if fact not in cues_for}
        self._cues_key: _CuesKey = (tuple(cues_for.items()), tuple(fallback_for.items()))

    def hear(self, text: str) -> Heard:
        """What the agent's turn asks and says; visitors of a run hear the same few agent lines thousands of
        times, so the reading is remembered per set of cues (a fresh copy each time: it is the caller's)."""
        heard = _hear(self._cues_key, text)
        return replace(heard, requested=list(heard.requested))


@lru_cache(maxsize=4096)
def _hear(cues_key: _CuesKey, text: str) -> Heard:
    cues, fallback = dict(cues_key[0]), dict(cues_key[1])
    heard = Heard(text=text)
    requested: list[tuple[int, str]] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0)
        if not _ASKING.search(sentence):
            continue
        found = _find(cues, sentence, match.start(), requested)
        found = found or _find(fallback, sentence, match.start(), requested)
        if found or _FALLBACK.search(sentence):
            continue  # "could you rephrase?" is not a yes/no question
        if _ANYTHING_ELSE.search(sentence):
            heard.anything_else = True
        elif _OPEN.search(sentence):
            heard.open_question = True
        elif _YES_NO.search(sentence):
            heard.yes_no = True
    heard.requested = [fact for _, fact in sorted(requested)]
    heard.denial = _DENIAL.search(text) is not None
    heard.policy = _POLICY.search(text) is not None
    heard.fallback = _FALLBACK.search(text) is not None
    heard.handoff = _HANDOFF.search(text) is not None
    return heard


def _find(
    cues: dict[str, tuple[re.Pattern[str], ...]],
    sentence: str,
    offset: int,
    requested: list[tuple[int, str]],
) -> bool:
    found = False
    for fact, patterns in cues.items():
        hit = next((m for p in patterns if (m := p.search(sentence))), None)
        if hit is not None and all(fact != name for _, name in requested):
            requested.append((offset + hit.start(), fact))
            found = True
    return found


def label_of(fact: str) -> str:
    """How a person names a fact: ``order_id`` → ``order number``."""
    return _LABELS.get(_ALIASES.get(fact, fact), fact.replace("_", " ").replace(" id", " number"))


_LABELS = {
    "order_id": "order number",
    "email": "email",
    "phone": "phone number",
    "name": "name",
    "zip_code": "zip code",
    "last4": "card's last four digits",
    "date_of_birth": "date of birth",
    "account_id": "account number",
    "verification_code": "verification code",
}


def builtin_facts() -> list[str]:
    """Facts the visitor recognises requests for even when the scenario does not mention them."""
    return list(_BUILTIN_CUES)


class GoalWatch:
    """Whether the agent's words meet (or deny) one goal, as the visitor reads them."""

    def __init__(self, goal: Goal) -> None:
        self.goal = goal
        self.done = [re.compile(pattern, _I) for pattern in goal.done_when]
        self.denied = [re.compile(pattern, _I) for pattern in goal.denied_when]

    def met_by(self, heard: Heard) -> bool:
        return any(p.search(heard.text) for p in self.done) or (self.goal.accept_handoff and heard.handoff)

    def denies(self, heard: Heard) -> bool:
        return heard.denial or any(p.search(heard.text) for p in self.denied)
