"""Behaviours defined once and shared by human and AI agents: a trigger and a detector per behaviour."""

from rehearsal.evaluate.behaviours.judge import BehaviourJudge, fingerprint
from rehearsal.evaluate.behaviours.library import (
    CompiledBehaviours,
    Labels,
    compile_behaviours,
    load_behaviours,
    parse_behaviours,
)
from rehearsal.evaluate.behaviours.spec import Behaviour, BehaviourSet
from rehearsal.evaluate.behaviours.transcript import Transcript

__all__ = [
    "Behaviour",
    "BehaviourJudge",
    "BehaviourSet",
    "CompiledBehaviours",
    "Labels",
    "Transcript",
    "compile_behaviours",
    "fingerprint",
    "load_behaviours",
    "parse_behaviours",
]
