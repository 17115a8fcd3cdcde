"""The machine-readable report: headline figures, the full aggregate, the gate decision and every item."""

from __future__ import annotations

import json

from rehearsal.evaluate.reports.model import RunReport, headline


def render_json(report: RunReport) -> str:
    payload = {"summary": headline(report.aggregate), **report.model_dump(mode="json")}
    return json.dumps(payload, indent=2, sort_keys=False)
