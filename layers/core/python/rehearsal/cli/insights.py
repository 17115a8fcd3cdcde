"""``rehearsal insights``: ingest transcripts, discover topics and flows, draft a bundle and personas.

One command per stage; each parses its options, calls one library function and prints a short summary.
Commands are grouped below by stage: ingest, topics (discovery), then flows, draft-bundle, personas, report.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="insights", help="Topics, flows, draft bundles and personas from transcripts.", no_args_is_help=True
)


# --- ingest -------------------------------------------------------------------------------------------------


# --- topics -------------------------------------------------------------------------------------------------


# --- flows, draft-bundle, personas, report ------------------------------------------------------------------
