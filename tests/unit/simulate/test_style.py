from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from rehearsal.simulate.specs import PHRASING_KEYS, Persona, Tone
from rehearsal.simulate.visitors.style import DEFAULT_PHRASING, Style


def style(seed: int = 1, **persona: object) -> Style:
    spec = Persona.model_validate({"id": "p", "name": "P", **persona})
    return Style(spec, random.Random(seed))


def test_typos_never_touch_the_facts() -> None:
    # Given a persona that misspells every word it can
    typist = style(typo_rate=0.5)
    # When many sentences with a fact are realised
    template = "My email address is definitely {value}, thanks"
    texts = [typist.fill(template, {"value": "jane@example.com"}) for _ in range(50)]
    # Then the fact is always intact while the words around it are not
    assert all("jane@example.com" in text for text in texts)
    assert any("definitely" not in text for text in texts)


def test_the_same_seed_gives_the_same_words() -> None:
    # Given two styles with the same seed and typo rate
    first, second = style(7, typo_rate=0.3), style(7, typo_rate=0.3)
    # When they realise the same phrases / Then the words are identical
    assert [first.phrase("push_back") for _ in range(5)] == [second.phrase("push_back") for _ in range(5)]


def test_persona_phrasing_overrides_the_defaults() -> None:
    # Given a persona with its own way of saying yes
    custom = style(phrasing={"affirm": ["Aye."]})
    # When it affirms / Then it uses its phrasing
    assert custom.phrase("affirm") == "Aye."


def test_upset_moods_show_in_the_opening() -> None:
    # Given an angry persona / When its opening mood words are picked / Then they are there
    assert style(tone="angry").mood_words(Tone.ANGRY, opening=True, escalated=False)


def test_every_phrasing_key_has_defaults() -> None:
    assert set(DEFAULT_PHRASING) == set(PHRASING_KEYS)


@pytest.mark.parametrize(
    ("phrasing", "message"),
    [
        ({"push_bakc": ["No!"]}, "unknown phrasing keys"),
        ({"inform": ["It's {value"]}, "literal braces"),
        ({"inform": ["It's {price}"]}, "unknown placeholders"),
    ],
)
def test_bad_phrasing_is_a_spec_error(phrasing: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Persona.model_validate({"id": "p", "name": "P", "phrasing": phrasing})
