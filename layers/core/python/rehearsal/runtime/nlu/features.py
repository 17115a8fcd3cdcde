"""Text features for intent recognition: word unigrams and bigrams plus character 3–5-grams inside words.

Character n-grams make the recognizer tolerant of typos and inflections ("refnd", "refunded"); digits are
folded to ``0`` so an order number never decides an intent.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

_NON_WORD = re.compile(r"[^a-z0-9']+")
_DIGITS = re.compile(r"\d+")
CHAR_NGRAMS = (3, 4, 5)
WORD_PREFIX = "w:"


def words(text: str) -> list[str]:
    folded = _DIGITS.sub("0", text.lower())
    return [word.strip("'") for word in _NON_WORD.split(folded) if word.strip("'")]


def term_counts(text: str, correct: Callable[[str], str] | None = None) -> Counter[str]:
    """``correct`` maps each word before its features are taken (typo repair at recognition time)."""
    tokens = words(text) if correct is None else [correct(word) for word in words(text)]
    counts: Counter[str] = Counter()
    for index, word in enumerate(tokens):
        counts[WORD_PREFIX + word] += 1
        if index:
            counts["b:" + tokens[index - 1] + " " + word] += 1
        padded = f" {word} "
        for size in CHAR_NGRAMS:
            for start in range(len(padded) - size + 1):
                counts["c:" + padded[start : start + size]] += 1
    return counts


def sublinear(counts: Counter[str]) -> dict[str, float]:
    return {term: 1.0 + math.log(count) for term, count in counts.items()}
