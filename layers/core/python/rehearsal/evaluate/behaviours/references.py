"""Before a run: each behaviour a scenario requires or forbids must be defined in the behaviours file."""

from __future__ import annotations

from rehearsal.evaluate.behaviours.spec import BehaviourSet
from rehearsal.simulate.specs.errors import SpecProblem, SpecValidationError
from rehearsal.simulate.specs.loading import LoadedSuite, Origin


def behaviour_reference_problems(loaded: LoadedSuite, behaviours: BehaviourSet | None) -> list[SpecProblem]:
    known = {behaviour.id for behaviour in behaviours.behaviours} if behaviours else set()
    where = f"defined: {', '.join(sorted(known))}" if known else "the suite names no behaviours file"
    root = Origin(str(loaded.path))
    problems = []
    for scenario in loaded.scenarios:
        origin = loaded.origins.get(scenario.id, root)
        for key in ("behaviours", "forbidden_behaviours"):
            for position, requirement in enumerate(getattr(scenario.expect, key)):
                if requirement.behaviour not in known:
                    message = f"unknown behaviour {requirement.behaviour!r} ({where})"
                    problems.append(origin.problem(message, "expect", key, position, "behaviour"))
    return problems


def validate_behaviour_references(loaded: LoadedSuite, behaviours: BehaviourSet | None) -> None:
    """Raise ``SpecValidationError`` naming the file, line and path of each unknown behaviour."""
    problems = behaviour_reference_problems(loaded, behaviours)
    if problems:
        raise SpecValidationError(problems)
