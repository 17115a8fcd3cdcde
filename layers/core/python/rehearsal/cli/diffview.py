"""A side-by-side transcript diff in the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from rehearsal.cli import console
from rehearsal.evaluate.compare import DiffRow, DiffTurn

_STYLE = {"equal": "", "changed": "yellow", "only_before": "red", "only_after": "green"}


def _cell(turn: DiffTurn | None) -> str:
    return f"[{turn.index}] {turn.role}: {turn.text}" if turn else ""


def print_transcript_diff(rows: Sequence[DiffRow], before_label: str, after_label: str) -> None:
    table = Table(title="transcripts side by side", show_lines=False, expand=True)
    table.add_column(before_label, ratio=1, overflow="fold")
    table.add_column(after_label, ratio=1, overflow="fold")
    for row in rows:
        table.add_row(_cell(row.before), _cell(row.after), style=_STYLE[row.tag])
    console.print(table)
