"""De-identification: personal data becomes typed placeholders before anything is stored.

Emails, phone numbers, card numbers (Luhn-checked), account numbers, street addresses and person names are
replaced by ``[TYPE_n]``; the same value gets the same placeholder everywhere in one conversation, so flows
and personas still see "the customer gave the same card twice". Names are found with a first-name gazetteer
plus cues ("my name is", "this is", titles such as "Dr.", argument keys such as ``PatientName``); names
that are also ordinary words ("Will", "May", "Grace") count only with a cue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from rehearsal.insights.conversation import Conversation


class PiiType(StrEnum):
    EMAIL = "EMAIL"
    CARD = "CARD"
    ACCOUNT = "ACCOUNT"
    PHONE = "PHONE"
    ADDRESS = "ADDRESS"
    NAME = "NAME"


PLACEHOLDER = re.compile(r"\[(?:EMAIL|CARD|ACCOUNT|PHONE|ADDRESS|NAME)_\d+\]")

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Digit runs with spaces or dashes between groups: cards, accounts and bare phone numbers.
_DIGITS = re.compile(r"(?<![\w$£€.,])\+?\d(?:[ -]?\d){5,22}(?![\w%])")
# Phone numbers written with a country code or an area code in brackets (bare ones are digit runs).
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)\s?)?|\(\d{2,4}\)\s?)\d{2,4}(?:[\s.-]?\d{2,4}){1,3}(?![\w])",
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{2}-\d{2}-\d{4}$")
_ACCOUNT_CUE = re.compile(
    r"(?:account|acct|a/c|routing|sort code|iban|member|policy)\W*(?:\w+\W+){0,3}$", re.I
)
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|"
    r"Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq)"
)
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:(?:[A-Z][a-z]+|\d+(?:st|nd|rd|th))\s+){1,3}" + _STREET_SUFFIX + r"\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Unit|#)\.?\s*\w+)?"
)
_TITLE_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof)\.?\s+((?:[A-Z][a-z'-]+)(?:\s+[A-Z][a-z'-]+)?)")
# The cue is case-insensitive; the surname after the first word must be capitalised ("Alexis and" is not one).
_CUE_NAME = re.compile(
    r"\b(?i:my name is|my name's|name is|this is|i am|i'm|call me|speaking with|talking to)\s+"
    r"([A-Za-z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)",
)
# Keys whose values are people: ``PatientName``, ``first_name``, ``customer``. A bare ``name`` may be a hotel
# or a product, so its value counts only when it starts with a known first name.
_PERSON_KEY = re.compile(
    r"(?:first|last|full|given|family|sur|patient|customer|caller|user|holder|contact|renter|guest|person|"
    r"driver|doctor|passenger|client|member)_?name$|^(?:customer|patient|caller|user|holder|contact)$",
    re.IGNORECASE,
)
_BARE_NAME_KEY = re.compile(r"^name$", re.IGNORECASE)
_NOT_A_NAME = frozenset(
    re.findall(
        r"\w+",
        "a an the and or but so not no yes very really just here there calling looking trying having going "
        "sorry glad happy fine good great okay ok sure interested unable able about also still new back",
    )
)


@cache
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    raw = resources.files("rehearsal.insights").joinpath("data/first_names.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    ambiguous = frozenset(name.lower() for name in data["ambiguous"])
    return frozenset(name.lower() for name in data["first_names"]) - ambiguous, ambiguous


@cache
def _gazetteer_pattern() -> re.Pattern[str]:
    """A capitalised unambiguous first name, with the capitalised word after it (a surname) if any."""
    first, _ = _gazetteer()
    names = "|".join(sorted((name.capitalize() for name in first), key=len, reverse=True))
    return re.compile(rf"\b({names})\b(?:\s+([A-Z][a-z'-]+)\b)?")


def _starts_a_name(key: str, value: str) -> bool:
    """A bare ``name`` field holds a person when its first word is a known first name."""
    first, ambiguous = _gazetteer()
    words = value.split()
    return bool(_BARE_NAME_KEY.match(key) and words and words[0].lower() in first | ambiguous)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


class Deidentifier:
    """Replaces personal data in the texts of one conversation, keeping placeholders consistent."""

    def __init__(self) -> None:
        self._placeholders: dict[tuple[PiiType, str], str] = {}
        self._counts: dict[PiiType, int] = dict.fromkeys(PiiType, 0)
        self._names: set[str] = set()  # names (and their parts) learnt from cues anywhere in the conversation
        self._name_of_part: dict[
            str, str
        ] = {}  # "sarah" -> "sarah connor": parts share the full name's placeholder

    @property
    def found(self) -> dict[PiiType, int]:
        """How many distinct values of each type were replaced."""
        return dict(self._counts)

    def learn_names(self, text: str) -> None:
        """First pass: names announced by cues, so that bare mentions elsewhere are caught too."""
        first, ambiguous = _gazetteer()
        for match in [*_TITLE_NAME.finditer(text), *_CUE_NAME.finditer(text)]:
            words = match.group(1).split()
            if words[0].lower() in _NOT_A_NAME:
                continue
            if match.re is _CUE_NAME and not (words[0][0].isupper() or words[0].lower() in first | ambiguous):
                continue
            self._add_name(" ".join(words))

    def learn_name_value(self, value: str) -> None:
        """A value known to be a name (from a field such as ``PatientName``)."""
        words = value.strip().strip("\"'").split()
        if words and all(word[:1].isalpha() for word in words):
            self._add_name(" ".join(word.capitalize() if word.islower() else word for word in words))

    def redact(self, text: str) -> str:
        if not text:
            return text
        text = _EMAIL.sub(lambda m: self._placeholder(PiiType.EMAIL, m.group(0)), text)
        text = _IBAN.sub(lambda m: self._placeholder(PiiType.ACCOUNT, m.group(0)), text)
        text = _ADDRESS.sub(lambda m: self._placeholder(PiiType.ADDRESS, m.group(0)), text)
        text = _PHONE.sub(
            lambda m: self._placeholder(PiiType.PHONE, re.sub(r"\D", "", m.group(0))[-10:]), text
        )
        text = _DIGITS.sub(lambda m: self._number(m.group(0), text_before=m.string[: m.start()]), text)
        return self._redact_names(text)

    def redact_value(self, value: Any, key: str = "") -> Any:
        """Redact every string inside a JSON-like value (tool arguments and results)."""
        if isinstance(value, str):
            bare = value.strip().strip("\"'")
            if (
                key
                and not PLACEHOLDER.fullmatch(bare)
                and (_PERSON_KEY.search(key) or _starts_a_name(key, bare))
            ):
                self.learn_name_value(value)
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self.redact_value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact_value(item, key) for item in value]
        return value

    def _number(self, raw: str, *, text_before: str) -> str:
        digits = _digits(raw)
        if _DATE_LIKE.match(raw.strip()):
            return raw
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return self._placeholder(PiiType.CARD, digits)
        if _ACCOUNT_CUE.search(text_before[-60:]):
            return self._placeholder(PiiType.ACCOUNT, digits)
        if len(digits) in (10, 11) or re.fullmatch(r"\d{3}[ -]\d{4}", raw):
            return self._placeholder(PiiType.PHONE, digits[-10:])
        return self._placeholder(PiiType.ACCOUNT, digits)

    def _redact_names(self, text: str) -> str:
        self.learn_names(text)
        # Longest known names first so "Dr. Morgan Lee" is one placeholder, not two.
        for name in sorted(self._names, key=len, reverse=True):
            pattern = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof)\.?\s+)?\b" + re.escape(name) + r"\b")
            text = pattern.sub(lambda m, n=name: self._placeholder(PiiType.NAME, n), text)  # type: ignore[misc]
        return _gazetteer_pattern().sub(self._gazetteer_name, text)

    def _gazetteer_name(self, match: re.Match[str]) -> str:
        word, surname = match.group(1), match.group(2)
        if surname is not None and surname.lower() not in _NOT_A_NAME:
            self._add_name(f"{word} {surname}")  # one person, one placeholder
            return self._placeholder(PiiType.NAME, f"{word} {surname}")
        return self._placeholder(PiiType.NAME, word) + match.group(0)[len(word) :]

    def _add_name(self, name: str) -> None:
        words = name.split()
        self._names.add(name)
        for word in words:
            if len(word) > 1 and word[0].isupper():
                self._names.add(word)
                self._name_of_part.setdefault(word.lower(), name.lower())

    def _placeholder(self, kind: PiiType, value: str) -> str:
        value = value.lower()
        if kind is PiiType.NAME:
            value = self._name_of_part.get(value, value)
        key = (kind, value)
        if key not in self._placeholders:
            self._counts[kind] += 1
            self._placeholders[key] = f"[{kind.value}_{self._counts[kind]}]"
        return self._placeholders[key]


def deidentify_texts(texts: Iterable[str]) -> list[str]:
    """De-identify texts that belong to one conversation (names learnt in one text apply to all)."""
    items = list(texts)
    deid = Deidentifier()
    for text in items:
        deid.learn_names(text)
    return [deid.redact(text) for text in items]


def deidentify_conversation(conversation: Conversation) -> Conversation:
    """A copy of ``conversation`` with personal data replaced in turns, tool calls and participants."""
    deid = Deidentifier()
    for turn in conversation.turns:
        deid.learn_names(turn.text)
    # Tool arguments often carry a name as a value (``PatientName``): learn it before any text is redacted.
    for turn in conversation.turns:
        for call in turn.tool_calls:
            deid.redact_value(call.arguments)
    turns = [
        turn.model_copy(
            update={
                "text": deid.redact(turn.text),
                "tool_calls": [
                    call.model_copy(
                        update={
                            "arguments": deid.redact_value(call.arguments),
                            "result": deid.redact_value(call.result),
                            "error": deid.redact(call.error) if call.error else call.error,
                        }
                    )
                    for call in turn.tool_calls
                ],
            }
        )
        for turn in conversation.turns
    ]
    participants = [p.model_copy(update={"id": None}) for p in conversation.participants]
    metadata = deid.redact_value(conversation.metadata)
    return conversation.model_copy(
        update={"turns": turns, "participants": participants, "metadata": metadata}
    )
