"""Personas: who the simulated visitor is and how they talk."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from rehearsal.simulate.specs.common import Spec, SpecId, check_templates, placeholders


class Tone(StrEnum):
    CALM = "calm"
    POLITE = "polite"
    CURT = "curt"
    CONFUSED = "confused"
    ANXIOUS = "anxious"
    FRUSTRATED = "frustrated"
    ANGRY = "angry"


PHRASING_KEYS = (
    "inform",
    "dont_know",
    "affirm",
    "negate",
    "push_back",
    "misunderstand",
    "rephrase",
    "ask_human",
    "change_mind",
    "second_issue",
    "thank",
    "bye",
    "give_up",
)
"""What a persona may phrase its own way: dialogue acts, and giving up."""
_PHRASING_PLACEHOLDERS = frozenset({"value", "label", "request"})


class Persona(Spec):
    id: SpecId
    name: str = Field(min_length=1, description="Display name.")
    description: str = ""
    tone: Tone = Tone.POLITE
    tones: list[Tone] = Field(
        default_factory=list, description="Other tones a variation may pick from (tone variations)."
    )
    emotional_arc: list[Tone] = Field(
        default_factory=list,
        description="Moods the visitor moves through, one step per unproductive turn; empty: the tone stays.",
    )
    vocabulary: list[str] = Field(
        default_factory=list, description="Fillers the visitor sprinkles in (e.g. `honestly`)."
    )
    phrasing: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Act → phrasings overriding the defaults; `{value}` and `{label}` are filled in.",
    )
    typo_rate: Annotated[float, Field(ge=0, le=0.5, description="Chance that a word gets a typo.")] = 0.0
    patience: Annotated[int, Field(ge=1, le=50, description="Unproductive agent turns before giving up.")] = 6

    @field_validator("phrasing")
    @classmethod
    def _known_keys(cls, phrasing: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(phrasing) - set(PHRASING_KEYS))
        if unknown:
            raise ValueError(f"unknown phrasing keys {unknown}; known: {', '.join(PHRASING_KEYS)}")
        for texts in phrasing.values():
            for text in check_templates(texts):
                extra = placeholders(text) - _PHRASING_PLACEHOLDERS
                if extra:
                    raise ValueError(
                        f"{text!r}: unknown placeholders {sorted(extra)}; use value, label or request"
                    )
        return phrasing
