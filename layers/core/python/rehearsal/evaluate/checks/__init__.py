"""One small class per kind of requirement; each returns typed results with evidence."""

from rehearsal.evaluate.checks.base import Check, EvaluationContext
from rehearsal.evaluate.checks.behaviours import BehavioursCheck
from rehearsal.evaluate.checks.end_reason import EndReasonCheck
from rehearsal.evaluate.checks.end_state import EndStateCheck
from rehearsal.evaluate.checks.forbidden_calls import ForbiddenCallsCheck
from rehearsal.evaluate.checks.guardrails import GuardrailsCheck
from rehearsal.evaluate.checks.routes import RoutesCheck
from rehearsal.evaluate.checks.schema import SchemaCheck
from rehearsal.evaluate.checks.tool_calls import ToolCallsCheck, match_required_calls
from rehearsal.evaluate.checks.turn_limit import TurnLimitCheck

__all__ = [
    "BehavioursCheck",
    "Check",
    "EndReasonCheck",
    "EndStateCheck",
    "EvaluationContext",
    "ForbiddenCallsCheck",
    "GuardrailsCheck",
    "RoutesCheck",
    "SchemaCheck",
    "ToolCallsCheck",
    "TurnLimitCheck",
    "match_required_calls",
]
