"""``rehearsal serve``: the HTTP API on this machine, on the embedded backend by default."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr

from rehearsal.cli import UserError, console
from rehearsal.settings import Settings

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(envvar="REHEARSAL_API_TOKEN", help="Bearer token every request must carry."),
    ] = None,
    tools: Annotated[
        list[Path] | None,
        typer.Option(help="Folder with the Python modules live bundles' tools are bound to (repeatable)."),
    ] = None,
) -> None:
    """Serve the HTTP API (bundles, runs, conversations, questions; /openapi.json)."""
    from chalice.config import Config
    from chalice.local import create_local_server

    from rehearsal.service.api import context, create_app

    if host not in LOOPBACK and not token:
        raise UserError(
            f"--host {host} is reachable from other machines: set --token (or REHEARSAL_API_TOKEN)"
        )
    settings = Settings()
    if token:
        settings = settings.model_copy(update={"api_token": SecretStr(token)})
    context.configure(settings=settings, tool_search_paths=tools or [])
    server = create_local_server(create_app(), Config.create(), host, port)
    console.print(
        f"Rehearsal API on http://{host}:{port} (OpenAPI at /openapi.json, backend {settings.backend})"
    )
    server.serve_forever()
