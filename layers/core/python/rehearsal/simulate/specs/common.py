"""Building blocks shared by every spec model: the strict base model, ids and criticality."""

from __future__ import annotations

import re
import string
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SpecId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:@/-]{0,127}$", description="A stable id.")]
FactName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", description="A fact name.")]
Scalar = str | int | float | bool


class Spec(BaseModel):
    """Every spec rejects unknown keys so a typo in YAML is an error, not a silently ignored field."""

    model_config = ConfigDict(extra="forbid")


class Criticality(StrEnum):
    """How much a failed requirement matters; evaluation and gates weigh results by it."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


def check_patterns(patterns: list[str]) -> list[str]:
    """A field validator for lists of regexes: a pattern that does not compile is a spec error."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


def placeholders(text: str) -> set[str]:
    """The ``{fact}`` placeholders of a visitor's line; ``ValueError`` on unbalanced braces."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def check_templates(texts: list[str]) -> list[str]:
    """A field validator for lines with ``{fact}`` placeholders: they must parse."""
    for text in texts:
        try:
            placeholders(text)
        except ValueError as exc:
            raise ValueError(f"{text!r}: {exc} (write {{{{ and }}}} for literal braces)") from None
    return texts
