"""Secrets do not belong in a bundle: it is versioned, diffed, copied to storage and shown in reports.

Strings that look like credentials are rejected; so is a literal value under a secret-sounding key. A value
may instead reference an environment variable as ``${NAME}``, resolved where the bundle runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rehearsal.bundles.problems import Loc

_TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|AIPA)[A-Z0-9]{16}\b")),
    ("an API key", re.compile(r"\bsk-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{20,}")),
    ("a bearer token", re.compile(r"(?i)\bbearer\s+(?!\$\{)[A-Za-z0-9._~+/-]{12,}=*")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a Stripe key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?!\$\{)[^/\s@]+@")),
    ("basic-auth credentials", re.compile(r"(?i)\bbasic\s+(?!\$\{)[A-Za-z0-9+/]{8,}={0,2}")),
    (
        "an AWS secret access key",
        re.compile(r"(?i)aws.{0,30}?(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
    ),
)
_SECRET_KEY = re.compile(
    r"(?i)(secret|passw(or)?d|api[_-]?key|access[_-]?key|auth[_-]?token|^token$|private[_-]?key|credential)"
)
_ENV_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")  # e.g. ``api_key_env: OPENAI_API_KEY`` names a variable


def find_secrets(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """(path, message) for each string in ``data`` that looks like a secret; messages never echo it."""
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*loc, str(key))
            if isinstance(value, str) and value and _SECRET_KEY.search(str(key)) and not _is_reference(value):
                yield child, f"{key!r} holds a literal value: write `${{ENV_NAME}}` and set the variable"
                continue
            yield from find_secrets(value, child)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from find_secrets(item, (*loc, index))
    elif isinstance(data, str):
        for kind, pattern in _TOKEN_PATTERNS:
            if pattern.search(data):
                yield loc, f"looks like {kind}: secrets must not be stored in a bundle; use `${{ENV_NAME}}`"
                break


def _is_reference(value: str) -> bool:
    return bool(_ENV_REFERENCE.match(value) or _ENV_NAME.match(value))
