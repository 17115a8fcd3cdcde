from __future__ import annotations

import pytest

from rehearsal.runtime.nlu.spelling import SpellingCorrector, within_one_edit

SPELLER = SpellingCorrector(["refund", "cancel", "order", "delivery", "package", "tracks", "tricks", "a1001"])


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("refnud", "refund"),  # neighbours swapped
        ("refnd", "refund"),  # one dropped
        ("reffund", "refund"),  # one doubled
        ("rafund", "refund"),  # one changed
        ("pakcage", "package"),
        ("cancell", "cancel"),
        ("cancle", "cancel"),  # the last two swapped
        ("ordr", "order"),
    ],
)
def test_a_slip_becomes_the_known_word(typed: str, meant: str) -> None:
    assert SPELLER.correct(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "refund",  # known
        "deliver",  # another word (an inflection changes the end), not a slip of "delivery"
        "trucks",  # "tracks" or "tricks": two candidates, no guess
        "cnl",  # too short to tell from other words
        "a1002",  # not letters only: codes and order numbers stay as typed
        "shipping",  # nothing within one edit
        "refunds",  # the last letter differs
    ],
)
def test_anything_else_is_left_as_typed(typed: str) -> None:
    assert SPELLER.correct(typed) == typed


@pytest.mark.parametrize(
    ("a", "b", "within"),
    [
        ("abcd", "abcd", True),
        ("abdc", "abcd", True),
        ("abd", "abcd", True),
        ("abcde", "abcd", True),
        ("axcd", "abcd", True),
        ("badc", "abcd", False),
        ("ab", "abcd", False),
        ("acbd", "abdc", False),
    ],
)
def test_within_one_edit_is_damerau_distance_one(a: str, b: str, within: bool) -> None:
    assert within_one_edit(a, b) is within
