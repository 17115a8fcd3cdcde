"""The Rehearsal HTTP API (Chalice): routes live in blueprints under ``rehearsal.service.api``."""

from rehearsal.service.api import create_app

app = create_app()
