"""Lambda: the scheduled monitoring check of a stored corpus — trends, anomalies and behaviour adherence,
stored as a dashboard and its JSON. A report with anomalies counts as a failure on the stage's metrics."""

from rehearsal.monitor.stage import MonitorRequest, monitor_stage
from rehearsal.service.lambdas import stage_handler

lambda_handler = stage_handler(
    "monitor", MonitorRequest, monitor_stage, failed=lambda result: result.anomalies > 0
)
