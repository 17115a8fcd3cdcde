"""Structured differences between two bundles.

Paths name list elements by their name where they have one (``agents[name=refunds].flows[name=refund]``),
so a reordering or an insertion does not show as a change of everything after it; other lists are aligned
with a sequence matcher. Changed prose (instructions, prompts) also gets a unified line diff.
"""

from __future__ import annotations

import difflib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.schema import AgentBundle

_KEYS = ("name", "tool", "fact", "code")  # the attribute that names the elements of a list, in that order
_PROSE_LENGTH = 80


class PathChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    op: Literal["added", "removed", "changed"]
    path: str
    before: Any = None
    after: Any = None


class TextDiff(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    unified: str = Field(description="A unified diff of the two texts, line by line.")
    words: str = Field(
        "", description="One-line texts: the new text with `[-removed-]{+added+}` words, as git --word-diff."
    )


class BundleDiff(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    before: str = Field(description="What the old side is (a version or a file).")
    after: str
    changes: list[PathChange] = Field(default_factory=list)
    text_diffs: list[TextDiff] = Field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.changes

    def paths(self, op: str | None = None) -> list[str]:
        return [change.path for change in self.changes if op is None or change.op == op]


def diff_bundles(
    before: AgentBundle, after: AgentBundle, *, before_label: str = "a", after_label: str = "b"
) -> BundleDiff:
    walker = _Differ()
    walker.value("", before.model_dump(mode="json"), after.model_dump(mode="json"))
    return BundleDiff(before=before_label, after=after_label, changes=walker.changes, text_diffs=walker.texts)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _key_attribute(*lists: list[Any]) -> str | None:
    """The attribute that names the elements of every list, uniquely within each list, if any."""
    items = [item for items in lists for item in items]
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in _KEYS:
        groups = [[item.get(key) for item in items] for items in lists]
        named = all(isinstance(item.get(key), str) for item in items)
        if named and all(len(set(group)) == len(group) for group in groups):
            return key
    return None


def _fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class _Differ:
    def __init__(self) -> None:
        self.changes: list[PathChange] = []
        self.texts: list[TextDiff] = []

    def value(self, path: str, before: Any, after: Any) -> None:
        if before == after:
            return
        if isinstance(before, dict) and isinstance(after, dict):
            self.mapping(path, before, after)
        elif isinstance(before, list) and isinstance(after, list):
            self.sequence(path, before, after)
        else:
            self.changes.append(PathChange(op="changed", path=path, before=before, after=after))
            if isinstance(before, str) and isinstance(after, str):
                self.prose(path, before, after)

    def mapping(self, path: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        for key in [*before, *(key for key in after if key not in before)]:
            child = _join(path, key)
            if key not in after:
                self.changes.append(PathChange(op="removed", path=child, before=before[key]))
            elif key not in before:
                self.changes.append(PathChange(op="added", path=child, after=after[key]))
            else:
                self.value(child, before[key], after[key])

    def sequence(self, path: str, before: list[Any], after: list[Any]) -> None:
        key = _key_attribute(before, after)
        if key is not None:
            self.named(path, key, before, after)
            return
        matcher = difflib.SequenceMatcher(
            a=[_fingerprint(item) for item in before],
            b=[_fingerprint(item) for item in after],
            autojunk=False,
        )
        for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
            if op == "equal":
                continue
            paired = min(a_end - a_start, b_end - b_start) if op == "replace" else 0
            for offset in range(paired):
                self.value(f"{path}[{b_start + offset}]", before[a_start + offset], after[b_start + offset])
            for index in range(a_start + paired, a_end):
                self.changes.append(PathChange(op="removed", path=f"{path}[{index}]", before=before[index]))
            for index in range(b_start + paired, b_end):
                self.changes.append(PathChange(op="added", path=f"{path}[{index}]", after=after[index]))

    def named(self, path: str, key: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
        old = {item[key]: item for item in before}
        new = {item[key]: item for item in after}
        for name in [*old, *(name for name in new if name not in old)]:
            child = f"{path}[{key}={name}]"
            if name not in new:
                self.changes.append(PathChange(op="removed", path=child, before=old[name]))
            elif name not in old:
                self.changes.append(PathChange(op="added", path=child, after=new[name]))
            else:
                self.value(child, old[name], new[name])

    def prose(self, path: str, before: str, after: str) -> None:
        if "\n" not in before + after and max(len(before), len(after)) < _PROSE_LENGTH:
            return
        lines = difflib.unified_diff(
            before.splitlines(), after.splitlines(), fromfile=f"a/{path}", tofile=f"b/{path}", lineterm=""
        )
        words = word_diff(before, after) if "\n" not in before.strip() + after.strip() else ""
        self.texts.append(TextDiff(path=path, unified="\n".join(lines), words=words))


def word_diff(before: str, after: str) -> str:
    """``after`` with removed words as ``[-…-]`` and added ones as ``{+…+}``; whitespace is normalised."""
    old, new = before.split(), after.split()
    out: list[str] = []
    for op, a_start, a_end, b_start, b_end in difflib.SequenceMatcher(
        a=old, b=new, autojunk=False
    ).get_opcodes():
        if op == "equal":
            out.extend(new[b_start:b_end])
            continue
        if a_end > a_start:
            out.append("[-" + " ".join(old[a_start:a_end]) + "-]")
        if b_end > b_start:
            out.append("{+" + " ".join(new[b_start:b_end]) + "+}")
    return " ".join(out)
