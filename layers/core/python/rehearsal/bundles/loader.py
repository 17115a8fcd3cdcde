"""Load a bundle from a YAML or JSON file, text, or data: validated, versioned, with its source folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.problems import BundleValidationError, Problem
from rehearsal.bundles.schema import AgentBundle
from rehearsal.bundles.source import SourceDocument, parse_document
from rehearsal.bundles.validation import validate_document
from rehearsal.bundles.versioning import bundle_version


class LoadedBundle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bundle: AgentBundle
    version: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the canonical JSON.")
    source_dir: Path | None = Field(
        None, description="Folder of the bundle file: where its tool modules live."
    )

    @property
    def name(self) -> str:
        return self.bundle.metadata.name

    @classmethod
    def of(cls, bundle: AgentBundle, *, source_dir: Path | None = None) -> LoadedBundle:
        return cls(bundle=bundle, version=bundle_version(bundle), source_dir=source_dir)


def parse_bundle(text: str, *, filename: str = "<bundle>", source_dir: Path | None = None) -> LoadedBundle:
    """Parse and validate bundle text; ``filename`` (its suffix picks YAML or JSON) names it in problems."""
    return LoadedBundle.of(validate_document(parse_document(text, filename=filename)), source_dir=source_dir)


def bundle_from_data(
    data: Any, *, filename: str = "<bundle>", source_dir: Path | None = None
) -> LoadedBundle:
    """Validate bundle data built in code (drafts, stored copies); problems carry paths but no lines."""
    return LoadedBundle.of(validate_document(SourceDocument(file=filename, data=data)), source_dir=source_dir)


def load_bundle(path: str | Path) -> LoadedBundle:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BundleValidationError(
            [Problem(file=str(file), message=f"cannot read the bundle: {reason}")]
        ) from None
    return parse_bundle(text, filename=str(file), source_dir=file.resolve().parent)
