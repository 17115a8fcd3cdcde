"""A base for report models that show derived figures (rates) in their JSON and can still read it back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class WithDerived(BaseModel):
    """Computed fields are written for readers of the JSON; on reading they are recomputed, not trusted, and
    any other unknown field is still an error."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in cls.model_computed_fields}
        return data
