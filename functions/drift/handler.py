"""Lambdas of the drift check: plan the reruns, compare a rerun with the last green run, record drift."""

from rehearsal.service.drift import (
    DriftCheckRequest,
    DriftCompareRequest,
    DriftFinding,
    compare_with_last_green,
    plan_drift_checks,
    record_drift,
)
from rehearsal.service.lambdas import stage_handler

list_watched_handler = stage_handler("drift_plan", DriftCheckRequest, plan_drift_checks)
compare_handler = stage_handler(
    "drift_compare", DriftCompareRequest, compare_with_last_green, failed=lambda finding: finding.regressed
)
record_drift_handler = stage_handler("drift_record", DriftFinding, record_drift)
