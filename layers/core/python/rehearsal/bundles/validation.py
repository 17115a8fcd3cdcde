"""Validate bundle data: schema, cross-references and secrets, reporting every problem at once.

When parts of a bundle fail the schema, the invalid list elements (an agent, a flow, a step…) are set aside
and the rest is still cross-checked, so one run shows all the problems. References to something set aside
are not reported twice, and checks that need the whole bundle (reachability) wait until it validates.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from rehearsal.bundles.checks import check_references
from rehearsal.bundles.problems import BundleValidationError, Loc, PathPart, Problem, data_path, format_path
from rehearsal.bundles.schema import AgentBundle
from rehearsal.bundles.secrets import find_secrets
from rehearsal.bundles.source import SourceDocument

_MAX_PRUNE_ROUNDS = 8


def validate_document(document: SourceDocument) -> AgentBundle:
    """The bundle in ``document``, or ``BundleValidationError`` with every problem found."""
    problems = list(document.problems)
    problems += [_problem(document, loc, message) for loc, message in find_secrets(document.data)]
    problems += [_problem(document, loc, "not a finite number") for loc in _non_finite(document.data)]
    if not isinstance(document.data, dict):
        kind = type(document.data).__name__ if document.data is not None else "empty"
        problems.append(_problem(document, (), f"a bundle is a mapping with metadata and agents, not {kind}"))
        raise BundleValidationError(problems)
    try:
        bundle = AgentBundle.model_validate(document.data)
    except ValidationError as error:
        problems += [
            _problem(document, loc, message) for loc, message in _schema_errors(document.data, error)
        ]
        partial = _partial_bundle(document.data, error)
        if partial is not None:
            problems += partial.reference_problems(document)
        raise BundleValidationError(problems) from None
    problems += [_problem(document, finding.loc, finding.message) for finding in check_references(bundle)]
    if problems:
        raise BundleValidationError(problems)
    return bundle


def _non_finite(data: Any, loc: Loc = ()) -> Iterable[Loc]:
    """NaN and infinities: JSON allows them in, but a version (canonical JSON) cannot hold them."""
    if isinstance(data, float) and not math.isfinite(data):
        yield loc
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _non_finite(value, (*loc, str(key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _non_finite(item, (*loc, index))


def _problem(document: SourceDocument, loc: Loc, message: str) -> Problem:
    return Problem(file=document.file, line=document.line(loc), path=format_path(loc), message=message)


# --- schema errors ----------------------------------------------------------------------------------------


def _message(detail: Any) -> str:
    kind, name = detail["type"], detail["loc"][-1] if detail["loc"] else ""
    if kind == "missing":
        return f"missing required field {name!r}"
    if kind == "extra_forbidden":
        return f"unknown field {name!r}"
    if kind == "union_tag_not_found":
        return f"missing field {_discriminator(detail)!r}"
    if kind == "union_tag_invalid":
        ctx = detail["ctx"]
        return f"unknown {_discriminator(detail)} {ctx['tag']!r}: expected one of {ctx['expected_tags']}"
    return str(detail["msg"]).removeprefix("Value error, ")


def _discriminator(detail: Any) -> str:
    return str(detail["ctx"]["discriminator"]).strip("'")


def _schema_errors(data: Any, error: ValidationError) -> list[tuple[Loc, str]]:
    errors = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, _discriminator(detail))  # point at the tag field itself
        errors.append((data_path(data, loc), _message(detail)))
    return errors


# --- partial validation -----------------------------------------------------------------------------------


@dataclass
class _Pruning:
    """List elements set aside, with the way back from the remaining indexes to the file's."""

    kept: dict[Loc, list[int]] = field(default_factory=dict)
    set_aside_names: set[str] = field(default_factory=set)

    def original(self, loc: Loc) -> Loc:
        out: list[PathPart] = []
        for part in loc:
            indexes = self.kept.get(tuple(out))
            out.append(indexes[part] if indexes is not None and isinstance(part, int) else part)
        return tuple(out)


@dataclass(frozen=True)
class _Partial:
    bundle: AgentBundle
    pruning: _Pruning

    def reference_problems(self, document: SourceDocument) -> list[Problem]:
        return [
            _problem(document, self.pruning.original(finding.loc), finding.message)
            for finding in check_references(self.bundle)
            if not finding.needs_complete and finding.ref not in self.pruning.set_aside_names
        ]


def _element(loc: Loc) -> Loc | None:
    """The innermost list element containing ``loc``."""
    cut = max((index for index, part in enumerate(loc) if isinstance(part, int)), default=None)
    return None if cut is None else loc[: cut + 1]


def _partial_bundle(data: dict[str, Any], error: ValidationError) -> _Partial | None:
    """Set aside the list elements the errors fall in, until the rest validates (or give up)."""
    targets: set[Loc] = set()
    pruning = _Pruning()
    pruned: Any = data
    for _ in range(_MAX_PRUNE_ROUNDS):
        for loc, _message in _schema_errors(pruned, error):
            element = _element(pruning.original(loc))
            if element is None:
                return None  # an error outside any list element: nothing to set aside
            targets.add(element)
        pruned, pruning = _prune(data, targets)
        try:
            return _Partial(AgentBundle.model_validate(pruned), pruning)
        except ValidationError as next_error:
            error = next_error
    return None


def _prune(data: dict[str, Any], targets: set[Loc]) -> tuple[Any, _Pruning]:
    outermost = {loc for loc in targets if not any(loc[: len(other)] == other != loc for other in targets)}
    by_list: dict[Loc, set[int]] = {}
    for loc in outermost:
        index = loc[-1]
        assert isinstance(index, int)
        by_list.setdefault(loc[:-1], set()).add(index)
    pruned = copy.deepcopy(data)
    pruning = _Pruning()
    for list_loc in sorted(by_list, key=len, reverse=True):  # inner lists first: outer indexes stay valid
        container: Any = pruned
        for part in list_loc:
            container = container[part]
        dropped = by_list[list_loc]
        pruning.kept[list_loc] = [index for index in range(len(container)) if index not in dropped]
        for index in dropped:
            pruning.set_aside_names.update(_names(container[index]))
        container[:] = [item for index, item in enumerate(container) if index not in dropped]
    return pruned, pruning


def _names(value: Any) -> set[str]:
    """Every ``name`` declared inside ``value``."""
    if isinstance(value, dict):
        found = {value["name"]} if isinstance(value.get("name"), str) else set()
        for item in value.values():
            found |= _names(item)
        return found
    if isinstance(value, list):
        return set().union(*(_names(item) for item in value)) if value else set()
    return set()
