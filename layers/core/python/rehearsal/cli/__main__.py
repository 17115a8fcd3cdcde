"""``python -m rehearsal.cli``: the same app as the ``rehearsal`` command."""

from rehearsal.cli.main import app

app()
