"""Typo repair for intent recognition: a word the recognizer never saw becomes the one known word within one
edit of it — a letter dropped, doubled, changed, or two neighbours swapped, the slips people type.

Known words and their one-letter deletions are indexed once (the symmetric-deletion idea of SymSpell), so a
lookup is a handful of set probes rather than a scan of the vocabulary. A word with two or more candidates is
left alone, and so is a candidate with another first or last letter (unless the last two are swapped): "sent"
is not a slip for "send", it is another word, and telling them apart is the recognizer's job. Words under
four letters are left alone too: at three letters most edits land on another real word.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_LENGTH = 4


def _deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


def within_one_edit(typed: str, known: str) -> bool:
    """Damerau–Levenshtein distance at most 1 (insertion, deletion, substitution, adjacent transposition)."""
    if typed == known:
        return True
    if abs(len(typed) - len(known)) > 1:
        return False
    if len(typed) == len(known):
        differ = [index for index, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        first, *rest = differ
        return rest == [first + 1] and typed[first] == known[first + 1] and typed[first + 1] == known[first]
    shorter, longer = sorted((typed, known), key=len)
    return any(longer[:index] + longer[index + 1 :] == shorter for index in range(len(longer)))


def _last_two_swapped(typed: str, known: str) -> bool:
    return len(typed) == len(known) and typed[:-2] == known[:-2] and typed[-2:] == known[-1:-3:-1]


class SpellingCorrector:
    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._known = frozenset(vocabulary)
        self._by_variant: dict[str, set[str]] = {}
        for word in self._known:
            if len(word) >= MIN_LENGTH and word.isalpha():
                for variant in {word, *_deletions(word)}:
                    self._by_variant.setdefault(variant, set()).add(word)

    def correct(self, word: str) -> str:
        """The known word ``word`` was meant to be, or ``word`` itself when it is known, short, not letters
        only (order numbers, codes), or when the repair is not unique."""
        if word in self._known or len(word) < MIN_LENGTH or not word.isalpha():
            return word
        candidates: set[str] = set()
        for variant in {word, *_deletions(word)}:
            candidates |= self._by_variant.get(variant, set())
        matches = [
            known
            for known in candidates
            # Inflections change a word's end (deliver, delivery; send, sent): those are other words, not
            # slips, which keep the first and the last letter — or swap the last two (cancle).
            if known[0] == word[0]
            and (known[-1] == word[-1] or _last_two_swapped(word, known))
            and within_one_edit(word, known)
        ]
        return matches[0] if len(matches) == 1 else word
