"""The bundle store: versions as content-addressed blobs, labels, the live pointer and A/B splits.

Layout: the canonical JSON of each version is the blob ``bundles/<name>/<version>.json`` (written once);
the run store holds, in partition ``bundle#<name>``, one document per version (``version#…``), per label
(``label#…``), the live pointer with its full history (``live``) and the split (``split``). Names are listed
in partition ``bundles``. The live pointer is updated with conditional writes, so concurrent promotions do
not lose history.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.bundles.diff import BundleDiff, diff_bundles
from rehearsal.bundles.loader import LoadedBundle, bundle_from_data, load_bundle
from rehearsal.bundles.schema import AgentBundle
from rehearsal.bundles.split import Split
from rehearsal.bundles.versioning import canonical_json, short
from rehearsal.storage.ports import BlobStore, Conflict, NotFound, RunStore

LIVE = "live"
_LABEL = re.compile(r"^[A-Za-z][\w.-]{0,63}$")
_HEX = re.compile(r"^[0-9a-f]{4,64}$")
_CAS_ATTEMPTS = 20
_BUNDLE_FILE = re.compile(r"\.(ya?ml|json)$", re.IGNORECASE)


class BundleStoreError(Exception):
    """A store request that cannot be met (unknown name, version or label; nothing to roll back to)."""


class BundleNotFound(BundleStoreError, LookupError):  # noqa: N818 - reads better at call sites
    pass


class BundleRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    created_at: AwareDatetime
    labels: list[str] = Field(default_factory=list)
    live: bool = False
    weight: float | None = Field(None, description="Share of traffic when a split is set.")
    created: bool = Field(False, description="True when this push stored a new version.")

    @property
    def short(self) -> str:
        return short(self.version)


class LiveEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["promote", "rollback"]
    version: str
    at: AwareDatetime
    by: str | None = None
    reason: str | None = None


class LivePointer(BaseModel):
    """The live version, the stack of earlier live versions for rollback, and every change made."""

    model_config = ConfigDict(extra="forbid")

    stack: list[str] = Field(default_factory=list, description="Promoted versions; the last is live.")
    history: list[LiveEvent] = Field(default_factory=list)

    @property
    def version(self) -> str | None:
        return self.stack[-1] if self.stack else None


def _partition(name: str) -> str:
    return f"bundle#{name}"


def _blob_key(name: str, version: str) -> str:
    return f"bundles/{name}/{version}.json"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class BundleStore:
    def __init__(self, blobs: BlobStore, runs: RunStore, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.blobs = blobs
        self.runs = runs
        self.clock = clock

    # --- versions -------------------------------------------------------------------------------------------

    def push(self, loaded: LoadedBundle | AgentBundle, *, label: str | None = None) -> BundleRef:
        """Store a version; the same content again is the same version (and only moves ``label``).

        The bundle is validated again (references included) whatever built it: the store holds no invalid
        version. Raises ``BundleValidationError``."""
        bundle = loaded if isinstance(loaded, AgentBundle) else loaded.bundle
        loaded = bundle_from_data(bundle.model_dump(mode="json"), filename=f"bundle {bundle.metadata.name!r}")
        name, version = loaded.name, loaded.version
        if label is not None:
            self._check_label(label)
        self.blobs.put_if_absent(
            _blob_key(name, version), canonical_json(loaded.bundle).encode(), content_type="application/json"
        )
        created_at = self.clock()
        try:
            self.runs.put(
                _partition(name),
                f"version#{version}",
                {"name": name, "version": version, "created_at": created_at.isoformat()},
                index={"bundle": name},
                if_absent=True,
            )
            created = True
        except Conflict:
            created = False
        self.runs.put("bundles", name, {"name": name})
        if label is not None:
            self.runs.put(
                _partition(name), f"label#{label}", {"version": version, "at": created_at.isoformat()}
            )
        ref = self._ref(name, version)
        return ref.model_copy(update={"created": created})

    def names(self) -> list[str]:
        return [document.key for document in self.runs.query("bundles")]

    def list(self, name: str) -> list[BundleRef]:
        """Versions of ``name``, oldest first, with their labels, the live flag and split weights."""
        documents = self.runs.query(_partition(name), key_prefix="version#")
        if not documents:
            raise BundleNotFound(f"no bundle named {name!r}{self._known_names()}")
        labels = self._labels(name)
        live = self.live(name)
        split = self.split(name)
        refs = [
            BundleRef(
                name=name,
                version=document.doc["version"],
                created_at=datetime.fromisoformat(document.doc["created_at"]),
                labels=sorted(
                    label for label, version in labels.items() if version == document.doc["version"]
                ),
                live=document.doc["version"] == live,
                weight=split.shares().get(document.doc["version"]) if split else None,
            )
            for document in documents
        ]
        return sorted(refs, key=lambda ref: (ref.created_at, ref.version))

    def get(self, name: str, version_or_label: str = LIVE) -> LoadedBundle:
        version = self.resolve_version(name, version_or_label)
        try:
            data = json.loads(self.blobs.get(_blob_key(name, version)))
        except NotFound:
            raise BundleNotFound(f"version {short(version)} of {name!r} has no stored content") from None
        loaded = LoadedBundle.of(AgentBundle.model_validate(data))
        if loaded.version != version:
            raise BundleStoreError(f"stored content of {name}@{short(version)} does not match its version")
        return loaded

    def resolve_version(self, name: str, selector: str = LIVE) -> str:
        """A full version from ``live``, a label, or a (unique) version prefix."""
        if selector == LIVE:
            version = self.live(name)
            if version is None:
                self.list(name)  # an unknown name is reported as such
                raise BundleNotFound(f"{name!r} has no live version: promote one first")
            return version
        labels = self._labels(name)
        if selector in labels:
            return labels[selector]
        versions = [ref.version for ref in self.list(name)]
        matches = (
            [version for version in versions if version.startswith(selector)] if _HEX.match(selector) else []
        )
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise BundleStoreError(f"{name}@{selector} is ambiguous: {', '.join(short(m) for m in matches)}")
        known = ", ".join([*sorted(labels), *(short(version) for version in versions)])
        raise BundleNotFound(f"{name} has no version or label {selector!r} (known: {known})")

    def resolve(self, ref: str | Path) -> LoadedBundle:
        """A bundle file path, ``name``, ``name@live``, ``name@<label>`` or ``name@<version prefix>``."""
        text = str(ref)
        if isinstance(ref, Path) or Path(text).is_file() or _BUNDLE_FILE.search(text):
            return load_bundle(text)
        name, _, selector = text.partition("@")
        return self.get(name, selector or LIVE)

    def diff(self, before: str | Path | LoadedBundle, after: str | Path | LoadedBundle) -> BundleDiff:
        old, new = (self._loaded(side) for side in (before, after))
        return diff_bundles(
            old.bundle,
            new.bundle,
            before_label=self._label_of(before, old),
            after_label=self._label_of(after, new),
        )

    # --- live pointer and rollback --------------------------------------------------------------------------

    def live(self, name: str) -> str | None:
        return self.live_pointer(name).version

    def live_pointer(self, name: str) -> LivePointer:
        try:
            return LivePointer.model_validate(self.runs.get(_partition(name), LIVE).doc)
        except NotFound:
            return LivePointer()

    def promote(
        self, name: str, version: str, *, by: str | None = None, reason: str | None = None
    ) -> BundleRef:
        full = self.resolve_version(name, version)

        def change(pointer: LivePointer) -> None:
            if pointer.version != full:
                pointer.stack.append(full)
            pointer.history.append(
                LiveEvent(action="promote", version=full, at=self.clock(), by=by, reason=reason)
            )

        self._update_live(name, change)
        return self._ref(name, full)

    def rollback(self, name: str, *, by: str | None = None, reason: str | None = None) -> BundleRef:
        """Make the previous live version live again; repeatable down to the first promotion."""

        def change(pointer: LivePointer) -> None:
            if len(pointer.stack) < 2:
                raise BundleStoreError(f"{name!r} has no earlier live version to roll back to")
            pointer.stack.pop()
            event = LiveEvent(
                action="rollback", version=pointer.stack[-1], at=self.clock(), by=by, reason=reason
            )
            pointer.history.append(event)

        pointer = self._update_live(name, change)
        assert pointer.version is not None
        return self._ref(name, pointer.version)

    def _update_live(self, name: str, change: Callable[[LivePointer], None]) -> LivePointer:
        for _ in range(_CAS_ATTEMPTS):
            try:
                stored = self.runs.get(_partition(name), LIVE)
                pointer, revision = LivePointer.model_validate(stored.doc), stored.revision
            except NotFound:
                pointer, revision = LivePointer(), None
            change(pointer)
            try:
                self.runs.put(
                    _partition(name),
                    LIVE,
                    pointer.model_dump(mode="json"),
                    if_absent=revision is None,
                    expected_revision=revision,
                )
            except Conflict:
                continue  # someone else moved the pointer: re-read and apply the change again
            return pointer
        raise BundleStoreError(f"the live pointer of {name!r} kept changing; try again")

    # --- A/B split ------------------------------------------------------------------------------------------

    def set_split(self, name: str, weights: Mapping[str, float], *, by: str | None = None) -> Split | None:
        """Split traffic by weight (e.g. ``{v1: 90, v2: 10}``); versions may be labels or prefixes.
        An empty mapping removes the split."""
        if not weights:
            self.runs.delete(_partition(name), "split")
            return None
        split = Split(weights={self.resolve_version(name, ref): weight for ref, weight in weights.items()})
        document = {**split.model_dump(mode="json"), "at": self.clock().isoformat(), "by": by}
        self.runs.put(_partition(name), "split", document)
        return split

    def split(self, name: str) -> Split | None:
        try:
            document = self.runs.get(_partition(name), "split").doc
        except NotFound:
            return None
        return Split(weights=document["weights"])

    def choose_version(self, name: str, conversation_id: str) -> str:
        """The version serving ``conversation_id``: sticky under a split, else the live version."""
        split = self.split(name)
        if split is not None:
            return split.choose(conversation_id, salt=name)
        return self.resolve_version(name, LIVE)

    # --- helpers --------------------------------------------------------------------------------------------

    def _ref(self, name: str, version: str) -> BundleRef:
        for ref in self.list(name):
            if ref.version == version:
                return ref
        raise BundleNotFound(f"{name} has no version {short(version)}")

    def _labels(self, name: str) -> dict[str, str]:
        return {
            document.key.removeprefix("label#"): document.doc["version"]
            for document in self.runs.query(_partition(name), key_prefix="label#")
        }

    def _known_names(self) -> str:
        names = self.names()
        return f" (stored: {', '.join(names)})" if names else " (the store is empty)"

    @staticmethod
    def _check_label(label: str) -> None:
        if not _LABEL.match(label) or label == LIVE or _HEX.match(label):
            raise BundleStoreError(
                f"invalid label {label!r}: start with a letter, use letters, digits, '.', '_' or '-', "
                f"and not {LIVE!r} or something that looks like a version"
            )

    def _loaded(self, side: str | Path | LoadedBundle) -> LoadedBundle:
        return side if isinstance(side, LoadedBundle) else self.resolve(side)

    @staticmethod
    def _label_of(side: str | Path | LoadedBundle, loaded: LoadedBundle) -> str:
        where = f"{loaded.name}@{short(loaded.version)}"
        return where if isinstance(side, LoadedBundle) else f"{side} ({where})"
