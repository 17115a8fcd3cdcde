"""Typed slot values from customer messages, one extractor per slot definition (regexes compiled once).

``extract(text, strict=False)`` answers an ask for this slot: loose readings are allowed (a bare number for an
amount, the whole message for a text slot). ``strict=True`` is for picking slots out of a message that was
about something else, so only unmistakable values count (a yes/no or free text never fills itself that way).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from rehearsal.bundles.schema import SlotDef
from rehearsal.runtime.nlu.dates import parse_date

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{5,}\d(?![\w])")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)?(?![\w])")
_CURRENCY = re.compile(
    r"(?:[$€£]\s?(\d+(?:[.,]\d{1,2})?))|(?:(\d+(?:[.,]\d{1,2})?)\s?(?:dollars?|usd|eur|euros?|pounds?|gbp|bucks))",
    re.IGNORECASE,
)
_DEFAULT_ID = re.compile(r"\b[A-Z]{1,4}-?\d{3,}\b", re.IGNORECASE)
_NAME_CUE = re.compile(
    r"\b(?:my name is|my name's|name is|i am|i'm|this is|it's)\s+"
    r"([A-Za-z][A-Za-z'-]+(?:\s+[A-Za-z][A-Za-z'-]+){0,2})",
    re.IGNORECASE,
)
_BARE_NAME = re.compile(r"^\s*([A-Za-z][A-Za-z'-]+(?:\s+[A-Za-z][A-Za-z'-]+){0,2})\s*[.!]?\s*$")
_ADDRESS = re.compile(
    r"\b\d+[A-Za-z]?\s+[A-Za-z0-9 .'-]*?\b(?:street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|drive|dr|"
    r"way|court|ct|place|pl|square|sq|terrace|parkway|pkwy)\b[^\n]*",
    re.IGNORECASE,
)
_YES = (
    "yes",
    "yeah",
    "yep",
    "yup",
    "sure",
    "correct",
    "right",
    "ok",
    "okay",
    "please do",
    "go ahead",
    "confirm",
    "confirmed",
    "affirmative",
    "absolutely",
    "definitely",
    "of course",
    "that's it",
    "y",
)
_NO = (
    "no",
    "nope",
    "nah",
    "don't",
    "do not",
    "not",
    "negative",
    "never mind",
    "nevermind",
    "cancel that",
    "n",
)
_YES_NO = re.compile(
    r"\b(" + "|".join(re.escape(word) for word in sorted(_YES + _NO, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(word.lower() for word in _YES + _NO) | {
    "hi",
    "hello",
    "thanks",
    "thank",
    "what",
    "why",
}
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
            *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen"),
            *("nineteen", "twenty"),
        ]
    )
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def _to_float(raw: str) -> float:
    return float(raw.replace(",", "."))


class SlotExtractor:
    def __init__(self, slot: SlotDef) -> None:
        self.slot = slot
        self._id = self._id_pattern(slot.pattern) if slot.type == "id" else None
        self._id_exact = (
            re.compile(slot.pattern.removeprefix("^").removesuffix("$"))
            if slot.type == "id" and slot.pattern
            else None
        )
        self._choices = self._choice_pattern(slot) if slot.type == "enum" else None
        readers: dict[str, Callable[[str, date, bool], Any]] = {
            "text": self._text,
            "id": self._identifier,
            "email": self._email,
            "phone": self._phone,
            "date": self._date,
            "number": self._number,
            "integer": self._integer,
            "amount": self._amount,
            "yes_no": self._yes_no,
            "enum": self._enum,
            "name": self._name,
            "address": self._address,
        }
        self._read = readers[slot.type]

    def extract(self, text: str, *, today: date, strict: bool = False) -> Any:
        """The slot's value in ``text``, or None when there is none (or it is out of the slot's range)."""
        value = self._read(text, today, strict)
        if value is None or not self._in_range(value):
            return None
        return value

    # --- construction -----------------------------------------------------------------------------------

    @staticmethod
    def _id_pattern(pattern: str | None) -> re.Pattern[str]:
        if pattern is None:
            return _DEFAULT_ID
        # A value pattern (anchored) is searched for inside the message.
        body = pattern.removeprefix("^").removesuffix("$")
        return re.compile(rf"(?<![\w])(?:{body})(?![\w])", re.IGNORECASE)

    @staticmethod
    def _choice_pattern(slot: SlotDef) -> tuple[re.Pattern[str], dict[str, str]]:
        canonical: dict[str, str] = {}
        for choice in slot.choices:
            canonical[choice.lower()] = choice
            for synonym in slot.synonyms.get(choice, []):
                canonical[synonym.lower()] = choice
        phrases = sorted(canonical, key=len, reverse=True)
        pattern = re.compile(
            r"\b(" + "|".join(re.escape(phrase) for phrase in phrases) + r")\b", re.IGNORECASE
        )
        return pattern, canonical

    def _in_range(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True
        if self.slot.minimum is not None and value < self.slot.minimum:
            return False
        return self.slot.maximum is None or value <= self.slot.maximum

    # --- readers ------------------------------------------------------------------------------------------

    def _text(self, text: str, _: date, strict: bool) -> str | None:
        stripped = text.strip()
        return None if strict or not stripped else stripped

    def _identifier(self, text: str, _: date, __: bool) -> str | None:
        assert self._id is not None
        match = self._id.search(text)
        if match is None:
            return None
        value = match.group(0)
        if self._id_exact is None:
            return value.upper()
        # "a1234" for a pattern spelled `A\d{4}`: the declared casing wins over the customer's.
        upper = value.upper()
        return upper if not self._id_exact.fullmatch(value) and self._id_exact.fullmatch(upper) else value

    def _email(self, text: str, _: date, __: bool) -> str | None:
        match = _EMAIL.search(text)
        return match.group(0).lower() if match else None

    def _phone(self, text: str, _: date, __: bool) -> str | None:
        for match in _PHONE.finditer(text):
            digits = re.sub(r"\D", "", match.group(0))
            if 7 <= len(digits) <= 15:
                return ("+" if match.group(0).lstrip().startswith("+") else "") + digits
        return None

    def _date(self, text: str, today: date, __: bool) -> str | None:
        found = parse_date(text, today=today)
        return found.isoformat() if found else None

    def _number(self, text: str, _: date, strict: bool) -> float | int | None:
        match = _NUMBER.search(text)
        if match:
            value = _to_float(match.group(0))
            return int(value) if value.is_integer() else value
        word = None if strict else _NUMBER_WORD.search(text)
        return _NUMBER_WORDS[word.group(1).lower()] if word else None

    def _integer(self, text: str, today: date, strict: bool) -> int | None:
        value = self._number(text, today, strict)
        return value if isinstance(value, int) else None

    def _amount(self, text: str, today: date, strict: bool) -> float | None:
        match = _CURRENCY.search(text)
        if match:
            return _to_float(match.group(1) or match.group(2))
        if strict:
            return None
        value = self._number(text, today, strict)
        return float(value) if value is not None else None

    def _yes_no(self, text: str, _: date, strict: bool) -> bool | None:
        if strict:
            return None
        match = _YES_NO.search(text)
        if match is None:
            return None
        return match.group(1).lower() in _YES

    def _enum(self, text: str, _: date, __: bool) -> str | None:
        assert self._choices is not None
        pattern, canonical = self._choices
        match = pattern.search(text)
        return canonical[match.group(1).lower()] if match else None

    def _name(self, text: str, _: date, strict: bool) -> str | None:
        match = _NAME_CUE.search(text) or (None if strict else _BARE_NAME.match(text))
        if match is None:
            return None
        words = match.group(1).split()
        if words[0].lower() in _NOT_NAMES:
            return None
        return " ".join(word[:1].upper() + word[1:] for word in words)

    def _address(self, text: str, _: date, strict: bool) -> str | None:
        match = _ADDRESS.search(text)
        if match:
            return match.group(0).strip().rstrip(".")
        stripped = text.strip()
        return None if strict or not any(char.isdigit() for char in stripped) else stripped
