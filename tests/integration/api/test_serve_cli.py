"""``rehearsal serve``: refuses to expose the API beyond this machine without a token."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rehearsal.cli.main import app


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_serving_beyond_loopback_without_a_token_is_refused(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REHEARSAL_API_TOKEN", raising=False)

    result = CliRunner().invoke(app, ["serve", "--host", host, "--port", "8765"])

    assert result.exit_code == 2
    assert "--token" in result.output
