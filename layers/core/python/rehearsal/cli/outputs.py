"""What the run commands print and write: the terminal summary and the report files."""

from __future__ import annotations

from pathlib import Path

from rehearsal.cli import console
from rehearsal.evaluate.reports import RunReport, print_summary
from rehearsal.pipeline.reporting import build_report, write_report_artefacts
from rehearsal.storage.factory import Stores


def print_run_summary(report: RunReport) -> None:
    print_summary(report, console)


def write_run_outputs(
    report: RunReport,
    stores: Stores,
    *,
    junit: Path | None = None,
    json_path: Path | None = None,
    html: Path | None = None,
) -> dict[str, str]:
    """Archive the reports with the run, copy them where the user asked; returns name → archived place."""
    artefacts = write_report_artefacts(report, stores)
    for path, name in ((junit, "junit.xml"), (json_path, "report.json"), (html, "report.html")):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(artefacts[name].text, encoding="utf-8")
            console.print(f"wrote {path}")
    return {name: artefact.place for name, artefact in artefacts.items()}


__all__ = ["build_report", "print_run_summary", "write_run_outputs"]
