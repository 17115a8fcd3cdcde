"""Evaluation: checks with evidence, behaviours, simulator-error attribution, aggregation, gates, comparison
and reports."""
