"""``load_suite``: a suite file and everything it references, validated at once with every problem's place."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rehearsal.bundles.source import SourceDocument
from rehearsal.simulate.specs.common import placeholders
from rehearsal.simulate.specs.errors import (
    PathPart,
    SpecProblem,
    SpecValidationError,
    format_path,
    problems_from,
)
from rehearsal.simulate.specs.persona import Persona
from rehearsal.simulate.specs.scenario import Goal, Scenario
from rehearsal.simulate.specs.source import DocumentError, read_document
from rehearsal.simulate.specs.suite import Suite, TurnTest

SpecT = TypeVar("SpecT", bound=BaseModel)


@dataclass(frozen=True)
class Origin:
    """Where a spec was written: file and the path of its root inside that file."""

    file: str
    path: tuple[PathPart, ...] = ()
    document: SourceDocument | None = None

    def problem(self, message: str, *sub: PathPart) -> SpecProblem:
        full = (*self.path, *sub)
        line = self.document.line(full) if self.document else None
        return SpecProblem(file=self.file, line=line, path=format_path(full), message=message)


@dataclass
class LoadedSuite:
    suite: Suite
    hash: str
    path: Path
    personas: dict[str, Persona]
    scenarios: list[Scenario]
    turn_tests: list[TurnTest]
    worlds: dict[str, dict[str, Any]] = field(default_factory=dict)  # world file → its content
    origins: dict[str, Origin] = field(default_factory=dict)  # scenario id → where it was written
    behaviours_path: Path | None = None
    gates_path: Path | None = None
    bundle_path: Path | None = None

    @property
    def source_dir(self) -> Path:
        return self.path.parent

    def scenario(self, scenario_id: str) -> Scenario:
        for scenario in self.scenarios:
            if scenario.id == scenario_id:
                return scenario
        raise KeyError(scenario_id)

    def persona_of(self, scenario: Scenario) -> Persona:
        return scenario.persona if isinstance(scenario.persona, Persona) else self.personas[scenario.persona]

    def base_world(self, scenario: Scenario) -> dict[str, Any]:
        key = scenario.world.base or self.suite.world
        return self.worlds.get(key, {}) if key else {}


class _Collector:
    """Accumulates problems so that one load reports all of them."""

    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []

    def validate(self, model: type[SpecT], data: Any, origin: Origin) -> SpecT | None:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            self.problems.extend(problems_from(error, data, origin.file, origin.path, origin.document))
            return None

    def read(self, file: Path, origin: Origin) -> SourceDocument | None:
        if not file.is_file():
            self.problems.append(origin.problem(f"file not found: {file}"))
            return None
        try:
            document = read_document(file)
        except DocumentError as error:
            self.problems.extend(error.problems)
            return None
        self.problems.extend(document.problems)
        return document


def load_suite(path: str | Path) -> LoadedSuite:
    """Load and validate a suite; raises ``SpecValidationError`` listing every problem with its place."""
    suite_path = Path(path)
    collector = _Collector()
    document = collector.read(suite_path, Origin(str(suite_path)))
    if document is None:
        raise SpecValidationError(collector.problems)
    root = Origin(str(suite_path), (), document)
    suite = collector.validate(Suite, document.data, root)
    if suite is None:
        raise SpecValidationError(collector.problems)
    base = suite_path.parent
    personas = _gather(collector, model=Persona, entries=suite.personas, key="personas", base=base, root=root)
    scenarios = _gather(
        collector, model=Scenario, entries=suite.scenarios, key="scenarios", base=base, root=root
    )
    turn_tests = _gather(
        collector, model=TurnTest, entries=suite.turn_tests, key="turn_tests", base=base, root=root
    )
    persona_map = _unique(collector, personas, "persona")
    _unique(collector, scenarios, "scenario")
    _unique(collector, turn_tests, "turn test")
    worlds = _load_worlds(collector, suite, scenarios, base, root)
    for scenario, origin in scenarios:
        _check_scenario(collector, scenario, origin, persona_map)
    refs = {name: _ref(collector, base, getattr(suite, name), root, name) for name in ("behaviours", "gates")}
    if refs["behaviours"] is not None:
        _check_behaviour_refs(collector, refs["behaviours"], scenarios)
    bundle_path = base / suite.bundle if suite.bundle and (base / suite.bundle).exists() else None
    if collector.problems:
        raise SpecValidationError(collector.problems)
    loaded = LoadedSuite(
        suite=suite,
        hash="",
        path=suite_path,
        personas=persona_map,
        scenarios=[s for s, _ in scenarios],
        turn_tests=[t for t, _ in turn_tests],
        worlds=worlds,
        origins={s.id: o for s, o in scenarios},
        behaviours_path=refs["behaviours"],
        gates_path=refs["gates"],
        bundle_path=bundle_path,
    )
    loaded.hash = suite_hash(loaded)
    return loaded


def suite_hash(loaded: LoadedSuite) -> str:
    """sha256 over the resolved content (referenced files included), so moving files around keeps it."""
    content = {
        "suite": loaded.suite.model_dump(mode="json", exclude={"personas", "scenarios", "turn_tests"}),
        "personas": {pid: p.model_dump(mode="json") for pid, p in sorted(loaded.personas.items())},
        "scenarios": [s.model_dump(mode="json") for s in loaded.scenarios],
        "turn_tests": [t.model_dump(mode="json") for t in loaded.turn_tests],
        "worlds": loaded.worlds,
        "files": {
            name: hashlib.sha256(ref.read_bytes()).hexdigest() if ref else None
            for name, ref in (("behaviours", loaded.behaviours_path), ("gates", loaded.gates_path))
        },
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _gather(
    collector: _Collector,
    *,
    model: type[SpecT],
    entries: list[Any],
    key: str,
    base: Path,
    root: Origin,
) -> list[tuple[SpecT, Origin]]:
    """Inline specs as they are; strings are files or globs holding one spec or a list of them."""
    found: list[tuple[SpecT, Origin]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, str):
            found.append((entry, Origin(root.file, (key, index), root.document)))
            continue
        files = _matching_files(base, entry)
        if not files:
            collector.problems.append(root.problem(f"no file matches {entry!r}", key, index))
        for file in files:
            document = collector.read(file, Origin(root.file, (key, index), root.document))
            if document is None:
                continue
            items = document.data if isinstance(document.data, list) else [document.data]
            for position, data in enumerate(items):
                path: tuple[PathPart, ...] = (position,) if isinstance(document.data, list) else ()
                origin = Origin(str(file), path, document)
                spec = collector.validate(model, data, origin)
                if spec is not None:
                    found.append((spec, origin))
    return found


def _matching_files(base: Path, entry: str) -> list[Path]:
    """A file or a glob, relative to the suite's folder or absolute."""
    if not any(ch in entry for ch in "*?["):
        return [base / entry]
    pattern = Path(entry)
    if pattern.is_absolute():  # Path.glob takes only relative patterns: glob from the root
        return sorted(Path(pattern.anchor).glob(str(pattern.relative_to(pattern.anchor))))
    return sorted(base.glob(entry))


def _unique(collector: _Collector, specs: list[tuple[Any, Origin]], what: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for spec, origin in specs:
        if spec.id in seen:
            collector.problems.append(origin.problem(f"duplicate {what} id {spec.id!r}", "id"))
        seen[spec.id] = spec
    return seen


def _load_worlds(
    collector: _Collector, suite: Suite, scenarios: list[tuple[Scenario, Origin]], base: Path, root: Origin
) -> dict[str, dict[str, Any]]:
    wanted: dict[str, Origin] = {}
    if suite.world:
        wanted[suite.world] = Origin(root.file, ("world",), root.document)
    for scenario, origin in scenarios:
        if scenario.world.base and scenario.world.base not in wanted:
            wanted[scenario.world.base] = Origin(
                origin.file, (*origin.path, "world", "base"), origin.document
            )
    worlds: dict[str, dict[str, Any]] = {}
    for name, origin in wanted.items():
        document = collector.read(base / name, origin)
        if document is None:
            continue
        if not isinstance(document.data, dict):
            collector.problems.append(origin.problem(f"world file {name!r} must hold a mapping"))
            continue
        worlds[name] = document.data
    return worlds


def _check_scenario(
    collector: _Collector, scenario: Scenario, origin: Origin, personas: dict[str, Any]
) -> None:
    if isinstance(scenario.persona, str) and scenario.persona not in personas:
        known = ", ".join(sorted(personas)) or "none"
        collector.problems.append(
            origin.problem(f"unknown persona {scenario.persona!r} (known: {known})", "persona")
        )
    goals: list[tuple[Goal, tuple[PathPart, ...]]] = [(scenario.goal, ("goal",))]
    if scenario.policies.second_issue:
        goals.append((scenario.policies.second_issue, ("policies", "second_issue")))
    if scenario.policies.change_mind:
        goals.append((scenario.policies.change_mind.goal, ("policies", "change_mind", "goal")))
    for key in ("off_topic", "prompt_injection"):
        scheduled = getattr(scenario.policies, key)
        for position, text in enumerate(scheduled.texts if scheduled else []):
            for fact in placeholders(text) - set(scenario.world.knows):
                message = f"placeholder {{{fact}}} is not a known fact (world.knows)"
                collector.problems.append(origin.problem(message, "policies", key, "texts", position))
    for goal, where in goals:
        known_facts = set(scenario.world.knows) | set(goal.facts)
        for position, fact in enumerate(goal.provides):
            if fact not in known_facts:
                message = f"the visitor cannot provide {fact!r}: not in world.knows"
                collector.problems.append(origin.problem(message, *where, "provides", position))
        for position, utterance in enumerate(goal.utterances):
            for fact in placeholders(utterance) - known_facts:
                message = f"placeholder {{{fact}}} is not a known fact (world.knows)"
                collector.problems.append(origin.problem(message, *where, "utterances", position))


def _ref(collector: _Collector, base: Path, name: str | None, root: Origin, key: str) -> Path | None:
    if name is None:
        return None
    path = base / name
    if not path.is_file():
        collector.problems.append(root.problem(f"file not found: {path}", key))
        return None
    return path


def _check_behaviour_refs(
    collector: _Collector, path: Path, scenarios: list[tuple[Scenario, Origin]]
) -> None:
    """Scenario behaviours must be defined in the behaviours file (whose own problems evaluation reports)."""
    try:
        data = read_document(path).data
    except DocumentError:
        return
    entries = data.get("behaviours") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return
    defined = {entry.get("id") for entry in entries if isinstance(entry, dict)}
    for scenario, origin in scenarios:
        for key in ("behaviours", "forbidden_behaviours"):
            for position, requirement in enumerate(getattr(scenario.expect, key)):
                if requirement.behaviour not in defined:
                    known = ", ".join(sorted(str(name) for name in defined))
                    message = f"unknown behaviour {requirement.behaviour!r} (defined in {path.name}: {known})"
                    collector.problems.append(origin.problem(message, "expect", key, position, "behaviour"))
