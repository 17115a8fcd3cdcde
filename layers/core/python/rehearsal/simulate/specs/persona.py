"""Personas: who the simulated visitor is and how they talk."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from rehearsal.simulate.specs.common import Spec, SpecId


class Tone(StrEnum):
    CALM = "calm"
    POLITE = "polite"
    CURT = "curt"
    CONFUSED = "confused"
    ANXIOUS = "anxious"
    FRUSTRATED = "frustrated"
    ANGRY = "angry"


UPSET_TONES = frozenset({Tone.ANXIOUS, Tone.FRUSTRATED, Tone.ANGRY})
"""Tones in which a visitor sounds upset (and a good agent answers with empathy)."""

PhrasingKey = str
"""A dialogue-act name (``inform``, ``dont_know``, ``thanks`` …) whose phrasing a persona overrides."""


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
    phrasing: dict[PhrasingKey, list[str]] = Field(
        default_factory=dict,
        description="Act → phrasings overriding the defaults; `{value}` and `{label}` are filled in.",
    )
    typo_rate: Annotated[float, Field(ge=0, le=0.5, description="Chance that a word gets a typo.")] = 0.0
    patience: Annotated[int, Field(ge=1, le=50, description="Unproductive agent turns before giving up.")] = 6
