"""Scenario specs in YAML: personas, goals, worlds, behaviour policies, expectations and suites."""

from rehearsal.simulate.specs.bundle_check import suite_problems_against_bundle, validate_suite_against_bundle
from rehearsal.simulate.specs.common import Criticality, Spec
from rehearsal.simulate.specs.errors import SpecProblem, SpecValidationError
from rehearsal.simulate.specs.expectations import (
    AnyMatch,
    ArgMatcher,
    BehaviourRequirement,
    EndReasonExpectation,
    ExactMatch,
    Expectations,
    ForbiddenToolCall,
    NumberMatch,
    RegexMatch,
    RequiredToolCall,
    RouteExpectation,
    TurnLimitExpectation,
    WorldAssertion,
)
from rehearsal.simulate.specs.faults import FaultSpec
from rehearsal.simulate.specs.loading import LoadedSuite, load_suite, suite_hash
from rehearsal.simulate.specs.persona import PHRASING_KEYS, Persona, Tone
from rehearsal.simulate.specs.scenario import (
    BehaviourPolicies,
    ChangeOfMind,
    Goal,
    Scenario,
    ScheduledUtterance,
    Start,
    WorldSpec,
)
from rehearsal.simulate.specs.suite import Suite, TurnAssertion, TurnTest, VariationSpec

__all__ = [
    "PHRASING_KEYS",
    "AnyMatch",
    "ArgMatcher",
    "BehaviourPolicies",
    "BehaviourRequirement",
    "ChangeOfMind",
    "Criticality",
    "EndReasonExpectation",
    "ExactMatch",
    "Expectations",
    "FaultSpec",
    "ForbiddenToolCall",
    "Goal",
    "LoadedSuite",
    "NumberMatch",
    "Persona",
    "RegexMatch",
    "RequiredToolCall",
    "RouteExpectation",
    "Scenario",
    "ScheduledUtterance",
    "Spec",
    "SpecProblem",
    "SpecValidationError",
    "Start",
    "Suite",
    "Tone",
    "TurnAssertion",
    "TurnLimitExpectation",
    "TurnTest",
    "VariationSpec",
    "WorldAssertion",
    "WorldSpec",
    "load_suite",
    "suite_hash",
    "suite_problems_against_bundle",
    "validate_suite_against_bundle",
]
