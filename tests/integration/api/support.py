"""Helpers of the API tests: the example domain and small request shortcuts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.test import Client

from rehearsal.service.api import context
from rehearsal.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme_retail"
JSON = {"content-type": "application/json"}


def configure(home: Path, **overrides: Any) -> Settings:
    settings = Settings(backend="local", home=home, **overrides)
    context.configure(settings=settings, tool_search_paths=[EXAMPLE])
    return settings


def post(client: Client, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.http.post(path, body=json.dumps(body).encode(), headers={**JSON, **(headers or {})})


def push(client: Client, version: str = "v2") -> dict[str, Any]:
    text = (EXAMPLE / f"bundle.{version}.yaml").read_bytes()
    response = client.http.post("/bundles", body=text, headers={"content-type": "application/x-yaml"})
    assert response.status_code in (200, 201), response.body
    return dict(json.loads(response.body))


def body(response: Any) -> Any:
    return json.loads(response.body)
