"""Lambda: one insights discovery stage (ingest, embed a shard, cluster), chosen by the event's ``stage``."""

from rehearsal.insights.stages import InsightsRequest, run_insights_stage
from rehearsal.service.lambdas import stage_handler

lambda_handler = stage_handler("insights", InsightsRequest, run_insights_stage)
