"""Run reports: terminal summary, self-contained HTML, JSON and JUnit XML."""

from rehearsal.evaluate.reports.html import render_html
from rehearsal.evaluate.reports.json_report import render_json
from rehearsal.evaluate.reports.junit import render_junit
from rehearsal.evaluate.reports.model import RunReport, headline
from rehearsal.evaluate.reports.terminal import print_summary, summary

__all__ = ["RunReport", "headline", "print_summary", "render_html", "render_json", "render_junit", "summary"]
